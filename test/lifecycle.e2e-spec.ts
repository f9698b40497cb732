import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { createTestDatabase, uniqueChannelPrefix } from './support/services';
import { ThrowawayRedis } from './support/throwaway-redis';
import { WsTestClient } from './support/ws-client';

/** What clients see when Redis restarts under an instance, and when an instance shuts down. */
describe('instance lifecycle', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: ThrowawayRedis;
  let relays: RelayInstance[];
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await ThrowawayRedis.create();
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix() };
    const first = await RelayInstance.start({ ...env, INSTANCE_ID: 'A' });
    relays = [first, await RelayInstance.start({ ...env, INSTANCE_ID: 'B' })];
    const api = new ApiClient(first.httpUrl);
    [alice, bob] = [await api.newUser('alice'), await api.newUser('bob')];
    conversationId = await api.createGroup(alice, 'lifecycle', [bob.id]);
  });

  afterAll(async () => {
    await Promise.all((relays ?? []).map((relay) => relay.stop()));
    await redis?.stop();
    await db?.drop();
  });

  it('tells clients to resync after Redis comes back, and relays again', async () => {
    const [A, B] = relays;
    const sender = await WsTestClient.connect(A.wsUrl, ['access_token', alice.token]);
    const receiver = await WsTestClient.connect(B.wsUrl, ['access_token', bob.token]);

    await redis.stop();
    // Sends still commit and ack while Redis is down; only the relay to B is lost.
    const duringOutage = await sender.sendMessage(conversationId, 'while redis is down', 'r-1');
    expect(duringOutage).toMatchObject({ event: 'message_ack', data: { seq: 1 } });
    await redis.start();

    await receiver.next('resync', () => true, 15_000);
    // What a client does on resync: fetch what it missed, after its last seen seq.
    const missed = await new ApiClient(B.httpUrl).request('GET', `/conversations/${conversationId}/messages?afterSeq=0`, undefined, bob.token);
    expect(missed.body.messages.map((m: { body: string }) => m.body)).toEqual(['while redis is down']);

    // Wait until A relays again: its subscriber is back (resync) and its readiness probe, which
    // publishes through the publisher connection and hears itself, passes.
    await sender.next('resync', () => true, 15_000);
    await waitUntilReady(A.httpUrl);
    let ack = await sender.sendMessage(conversationId, 'after redis is back', 'r-2');
    expect(ack).toMatchObject({ event: 'message_ack', data: { seq: 2 } });
    const live = await receiver.next('message', (data) => data.seq === 2);
    expect(live.data.body).toBe('after redis is back');
    sender.close();
    receiver.close();
  });

  it('on SIGTERM finishes and acks the sends in flight, closes sockets with 1012 and exits 0', async () => {
    const [, B] = relays;
    const client = await WsTestClient.connect(B.wsUrl, ['access_token', alice.token]);
    const count = 30;
    for (let i = 1; i <= count; i++) client.send('send_message', { conversationId, body: `in flight ${i}`, clientMsgId: `sd-${i}` });
    await client.next('message_ack', (data) => data.clientMsgId === 'sd-1');
    const exitCode = await B.stop('SIGTERM');
    const closed = await client.closed;

    expect(closed.code).toBe(1012);
    expect(exitCode).toBe(0);
    // Every frame the server had received was stored and acked before the socket closed.
    expect(client.framesOf('message_ack').map((ack) => ack.clientMsgId)).toEqual(Array.from({ length: count }, (_, i) => `sd-${i + 1}`));
    expect(client.framesOf('error')).toEqual([]);
  });
});

async function waitUntilReady(baseUrl: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(`${baseUrl}/health/ready`).then((response) => response.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${baseUrl} not ready within ${timeoutMs} ms`);
}
