import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance, TEST_JWT_SECRET } from './support/relay-instance';
import { uniqueSuffix } from './support/services';
import { startTestRelays, TestRelays } from './support/test-relays';
import { ThrowawayRedis } from './support/throwaway-redis';
import { WsTestClient } from './support/ws-client';

const METRICS_TOKEN = 'metrics-token-for-the-e2e-test-0123456789';

/** One scrape, as `name{labels}` -> value; labels in the order the server wrote them. */
type Samples = Map<string, number>;

async function scrape(relay: RelayInstance, token?: string): Promise<{ text: string; samples: Samples }> {
  const response = await fetch(`${relay.httpUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  const text = await response.text();
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return { text, samples };
}

/** Polls until the sample has the wanted value; fails with the last value seen. */
async function until(relay: RelayInstance, token: string | undefined, series: string, wanted: (value: number) => boolean): Promise<number> {
  const deadline = Date.now() + 15_000;
  let value: number | undefined;
  while (Date.now() < deadline) {
    value = (await scrape(relay, token)).samples.get(series);
    if (value !== undefined && wanted(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${series} stayed at ${value}`);
}

describe('/metrics', () => {
  let relays: TestRelays;
  let redis: ThrowawayRedis;
  let A: RelayInstance;
  let B: RelayInstance;
  let api: ApiClient;
  const idA = `metrics-a-${uniqueSuffix()}`;
  const idB = `metrics-b-${uniqueSuffix()}`;
  /** `name{event="x",instance="A"}`: prom-client writes metric labels first, the default label last. */
  const series = (name: string, instance: string, labels: Record<string, string> = {}) =>
    `${name}{${[...Object.entries(labels), ['instance', instance]].map(([key, value]) => `${key}="${value}"`).join(',')}}`;

  beforeAll(async () => {
    // A Redis of its own, restarted by the last test.
    redis = await ThrowawayRedis.create();
    relays = await startTestRelays({ env: { REDIS_URL: redis.url }, instances: [{ INSTANCE_ID: idA }, { INSTANCE_ID: idB, METRICS_TOKEN }] });
    [A, B] = relays.instances;
    api = new ApiClient(A.httpUrl);
  });

  afterAll(async () => {
    await relays?.stop();
    await redis?.stop();
  });

  it('counts frames, deliveries, acks, syncs and routed envelopes, labelled by instance', async () => {
    const [alice, bob]: TestUser[] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
    const conversationId = await api.createGroup(alice, 'metrics', [bob.id]);
    const alicePhone = await WsTestClient.connect(A.wsUrl, ['access_token', alice.token]);
    const aliceLaptop = await WsTestClient.connect(A.wsUrl, ['access_token', alice.token]);
    const bobPhone = await WsTestClient.connect(B.wsUrl, ['access_token', bob.token]);
    // Both synced: presence has settled, so what follows is only this test's traffic.
    for (const client of [alicePhone, aliceLaptop, bobPhone]) {
      client.send('sync', { cursors: {} });
      await client.next('sync_done');
    }
    const beforeA = (await scrape(A)).samples;
    const beforeB = (await scrape(B, METRICS_TOKEN)).samples;
    const delta = (after: Samples, before: Samples, key: string) => (after.get(key) ?? NaN) - (before.get(key) ?? 0);

    for (let i = 1; i <= 3; i++) expect((await alicePhone.sendMessage(conversationId, `hello ${i}`, `m-${i}`)).event).toBe('message_ack');
    await bobPhone.next('message', (data) => data.body === 'hello 3');
    await aliceLaptop.next('message', (data) => data.body === 'hello 3');
    const syncFrom = alicePhone.frames.length;
    alicePhone.send('sync', { cursors: { [conversationId]: 0 } });
    await alicePhone.nextWhere((frame) => frame.event === 'sync_done', 10_000, 'sync_done', syncFrom);
    const caughtUp = alicePhone.frames.slice(syncFrom).filter((frame) => frame.event === 'message').length;
    expect(caughtUp).toBeGreaterThanOrEqual(3);
    alicePhone.sendRaw('{not json');
    alicePhone.send('no_such_event', {});
    alicePhone.send('__proto__', {});
    await alicePhone.nextWhere((frame) => frame.event === 'error' && frame.data.code === 'bad_json');
    await alicePhone.nextWhere((frame) => frame.event === 'error' && frame.data.code === 'unknown_event' && /__proto__/.test(frame.data.message));

    const { text: textA, samples: afterA } = await scrape(A);
    const { samples: afterB } = await scrape(B, METRICS_TOKEN);
    const a = (name: string, labels?: Record<string, string>) => delta(afterA, beforeA, series(name, idA, labels));
    const b = (name: string, labels?: Record<string, string>) => delta(afterB, beforeB, series(name, idB, labels));

    expect(a('relay_frames_in_total', { event: 'send_message' })).toBe(3);
    expect(a('relay_frames_in_total', { event: 'sync' })).toBe(1);
    expect(a('relay_frames_in_total', { event: 'invalid' })).toBe(1);
    expect(a('relay_frames_in_total', { event: 'unknown' })).toBe(2);
    expect(textA).not.toContain('no_such_event');
    expect(a('relay_frames_out_total', { event: 'message_ack' })).toBe(3);
    expect(a('relay_frames_out_total', { event: 'sync_done' })).toBe(1);
    expect(a('relay_frames_out_total', { event: 'error' })).toBe(3);
    // Alice's laptop live, plus the catch-up; Alice's phone got acks, not its own messages.
    expect(a('relay_frames_out_total', { event: 'message' })).toBe(3 + caughtUp);
    expect(a('relay_deliveries_total')).toBe(3);
    expect(b('relay_deliveries_total')).toBe(3);
    expect(a('relay_send_ack_seconds_count')).toBe(3);
    expect(a('relay_send_ack_seconds_sum')).toBeGreaterThan(0);
    expect(a('relay_send_ack_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(a('relay_sync_entries_count')).toBe(1);
    expect(a('relay_sync_entries_sum')).toBe(caughtUp);
    // Bob is on B only: each message is routed to B's own channel, never broadcast.
    expect(a('relay_envelopes_published_total', { channel: 'instance' })).toBe(3);
    expect(a('relay_envelopes_published_total', { channel: 'broadcast' })).toBe(0);
    expect(b('relay_envelopes_received_total', { channel: 'instance' })).toBe(3);
    expect(b('relay_envelopes_received_total', { channel: 'broadcast' })).toBe(0);
    expect(afterA.get(series('relay_db_errors_total', idA, { transport: 'ws' }))).toBe(0);
    expect(afterA.get(series('relay_slow_consumer_disconnects_total', idA))).toBe(0);

    expect(afterA.get(series('relay_connections', idA))).toBe(2);
    expect(afterB.get(series('relay_connections', idB))).toBe(1);
    aliceLaptop.close();
    await until(A, undefined, series('relay_connections', idA), (value) => value === 1);

    // Every sample carries this instance's label; the process metrics are there too.
    const lines = textA.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(lines.every((line) => line.includes(`instance="${idA}"`))).toBe(true);
    expect(afterA.has(series('process_resident_memory_bytes', idA))).toBe(true);
    expect(afterA.has(series('nodejs_eventloop_lag_seconds', idA))).toBe(true);
    // No secrets: no user token, no JWT at all, no signing secret.
    for (const secret of [alice.token, bob.token, TEST_JWT_SECRET, 'eyJ']) expect(textA).not.toContain(secret);
    alicePhone.close();
    bobPhone.close();
  });

  it('is open without METRICS_TOKEN, and needs the bearer token when it is set', async () => {
    expect((await fetch(`${A.httpUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${B.httpUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${B.httpUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ statusCode: 401, code: 'unauthorized' });
    const { text } = await scrape(B, METRICS_TOKEN);
    expect(text).not.toContain(METRICS_TOKEN);
  });

  it('is left out of the OpenAPI document', async () => {
    const document = (await (await fetch(`${A.httpUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });

  it('counts Redis reconnects of both clients', async () => {
    const subscriber = series('relay_redis_reconnects_total', idA, { client: 'subscriber' });
    const publisher = series('relay_redis_reconnects_total', idA, { client: 'publisher' });
    expect((await scrape(A)).samples.get(subscriber)).toBe(0);
    await redis.stop();
    await redis.start();
    await until(A, undefined, subscriber, (value) => value === 1);
    await until(A, undefined, publisher, (value) => value === 1);
  });
});
