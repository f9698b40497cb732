import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { FrameFuzzer } from './support/fuzz-frames';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { Frame, WsTestClient } from './support/ws-client';

const SOCKETS = 4;
const FRAMES_PER_SOCKET = 750;
/** Frames sent before waiting for their answers; well under the 256 a socket may have in flight. */
const BATCH = 100;
const MAX_PAYLOAD_BYTES = 16 * 1024;
/**
 * RSS after the run may exceed the baseline by this much. V8 grows its heap under load and gives
 * pages back lazily (no GC can be forced in the child), so RSS never returns exactly; 64 MiB is
 * far above that noise yet far below a leak that keeps anything per frame (3000 frames of up to
 * 16 KiB, kept, would be 48 MiB of strings alone, more as objects).
 */
const RSS_SLACK_BYTES = 64 * 1024 * 1024;
const ANSWERS = new Set(['error', 'message_ack', 'sync_done']);

const rssOf = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
};

/** Thousands of random and hostile frames against one live instance: each answered, nothing kept. */
describe('WebSocket fuzz', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

  beforeAll(async () => {
    relays = await startTestRelays({
      env: {
        WS_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
        // The fuzzer is paced by answers, not by the clock; the rate limit has its own test.
        WS_RATE_BURST: '100000',
        WS_RATE_PER_SECOND: '100000',
      },
    });
    [relay] = relays.instances;
    const api = new ApiClient(relay.httpUrl);
    [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
    conversationId = await api.createGroup(alice, 'fuzz', [bob.id]);
  });

  afterAll(async () => {
    await relays?.stop();
  });

  const answersOf = (client: WsTestClient) => client.frames.filter((frame) => ANSWERS.has(frame.event));

  /** Sends `count` frames in batches, waiting for every answer of a batch before the next. */
  const fuzzOne = async (client: WsTestClient, fuzzer: FrameFuzzer, count: number): Promise<void> => {
    const answeredBefore = answersOf(client).length;
    for (let sent = 0; sent < count; ) {
      for (const end = Math.min(sent + BATCH, count); sent < end; sent++) {
        const frame = fuzzer.next();
        client.sendRaw(frame.payload, frame.binary);
      }
      const expected = answeredBefore + sent;
      await client.nextWhere(() => answersOf(client).length >= expected, 15_000, `${expected} answers (seed ${seed})`);
    }
  };

  it('answers every frame, stays up, and returns to its baseline memory', { timeout: 60_000 }, async () => {
    const targets = { conversationId, participantId: bob.id, maxPayloadBytes: MAX_PAYLOAD_BYTES };
    const clients = await Promise.all(Array.from({ length: SOCKETS }, () => WsTestClient.connect(relay.wsUrl, ['access_token', alice.token])));
    // Warm up (JIT, pools, validation metadata) before the baseline, so it measures a running server.
    await Promise.all(clients.map((client, i) => fuzzOne(client, new FrameFuzzer(seed + 1000 + i, targets), 50)));
    const baseline = rssOf(relay.process.pid!);
    const before = clients.map((client) => answersOf(client).length);
    const startedAt = Date.now();

    await Promise.all(clients.map((client, i) => fuzzOne(client, new FrameFuzzer(seed + i, targets), FRAMES_PER_SOCKET)));

    const elapsedMs = Date.now() - startedAt;
    const answers: Frame[] = clients.flatMap((client, i) => answersOf(client).slice(before[i]));
    expect(answers, `seed ${seed}`).toHaveLength(SOCKETS * FRAMES_PER_SOCKET);
    const codes = answers.filter((frame) => frame.event === 'error').map((frame) => frame.data.code as string);
    const unexpected = relay.logs.split('\n').filter((line) => line.includes('unexpected error')).slice(0, 3).join('\n');
    expect(codes, `seed ${seed}: an unexpected error escaped:\n${unexpected}`).not.toContain('internal_error');
    expect(codes).not.toContain('unavailable');
    expect(clients.every((client) => client.socket.readyState === WebSocket.OPEN)).toBe(true);
    expect(elapsedMs).toBeLessThan(30_000);

    // Text frames that are not UTF-8 are refused by ws itself with 1007, before any answer.
    for (const bytes of [[0x7b, 0xe2, 0x82], [0x22, 0xf0, 0x9f, 0x98], [0xc3]]) {
      const victim = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
      victim.sendRaw(Buffer.from(bytes));
      expect((await victim.closed).code).toBe(1007);
    }

    await Promise.all(clients.map((client) => (client.close(), client.closed)));
    expect(relay.process.exitCode).toBeNull();
    const after = rssOf(relay.process.pid!);
    expect(after - baseline, `RSS ${baseline} -> ${after} bytes`).toBeLessThan(RSS_SLACK_BYTES);

    const fresh = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
    expect((await fresh.sendMessage(conversationId, 'after the storm', 'after-1')).event).toBe('message_ack');
    fresh.close();
  });
});
