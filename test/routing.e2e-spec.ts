import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { REDIS_URL } from './support/services';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** Where envelopes go: only to instances that hold a recipient; and slow consumers are cut off. */
describe('routing and slow consumers', () => {
  let relays: TestRelays;
  let prefix: string;
  let A: RelayInstance;
  let B: RelayInstance;
  let C: RelayInstance;
  let api: ApiClient;
  let spy: Redis;
  const published: { channel: string; userIds: string[] | null; body?: string }[] = [];

  beforeAll(async () => {
    // The slow-consumer test floods one socket, well past the default frame rate limit.
    relays = await startTestRelays({
      env: { WS_RATE_BURST: '10000', WS_RATE_PER_SECOND: '10000', MESSAGE_MAX_CHARS: '60000', WS_MAX_PAYLOAD_BYTES: '65536' },
      instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }, { INSTANCE_ID: 'C' }],
    });
    [A, B, C] = relays.instances;
    prefix = relays.env.REDIS_CHANNEL_PREFIX;
    api = new ApiClient(A.httpUrl);
    // A listener on every relay channel of this test: what each instance would receive.
    spy = new Redis(REDIS_URL);
    spy.on('pmessage', (_pattern: string, channel: string, raw: string) => {
      const envelope = JSON.parse(raw) as { userIds: string[] | null; frame: string };
      published.push({ channel: channel.slice(prefix.length), userIds: envelope.userIds, body: JSON.parse(envelope.frame).data?.body });
    });
    await spy.psubscribe(`${prefix}instance:*`, `${prefix}broadcast`);
  });

  afterAll(async () => {
    spy?.disconnect();
    await relays?.stop();
  });

  it('sends a DM between users on A and B to instance B only, never to C', async () => {
    const [alice, bob, carol] = await Promise.all([api.newUser('alice'), api.newUser('bob'), api.newUser('carol')]);
    const sender = await WsTestClient.connect(A.wsUrl, ['access_token', alice.token]);
    const receiver = await WsTestClient.connect(B.wsUrl, ['access_token', bob.token]);
    const bystander = await WsTestClient.connect(C.wsUrl, ['access_token', carol.token]);

    sender.send('send_chat_message_to_participant', { participantId: bob.id, message: 'just for bob', clientMsgId: 'route-1' });
    await receiver.next('message', (data) => data.body === 'just for bob');
    const relayed = published.filter((entry) => entry.body === 'just for bob');
    expect(relayed).toEqual([{ channel: 'instance:B', userIds: [bob.id], body: 'just for bob' }]);
    expect(bystander.framesOf('message')).toEqual([]);
    for (const client of [sender, receiver, bystander]) client.close();
  });

  it('cuts off a client that stops reading, and it catches up when it comes back', async () => {
    const [dave, erin] = await Promise.all([api.newUser('dave'), api.newUser('erin')]);
    const conversationId = await api.createGroup(dave, 'firehose', [erin.id]);
    // Erin's socket on B stops reading: its TCP receive window fills, then B's send buffer.
    const stalled = new WebSocket(B.wsUrl, ['access_token', erin.token]);
    await new Promise((resolve) => stalled.once('open', resolve));
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();

    const sender = await WsTestClient.connect(A.wsUrl, ['access_token', dave.token]);
    const body = 'x'.repeat(59_000);
    let sent = 0;
    // The stalled client reads nothing, so it cannot even see the server hang up: watch the server.
    const cutOffByServer = () => /cutting off slow consumer/.test(B.logs);
    // Bounded: 90 MB of messages at most. Loopback TCP buffers here grow to 32 MiB (tcp_rmem)
    // plus 4 MiB (tcp_wmem) before the server's own unsent buffer grows towards its 1 MiB bound.
    while (!cutOffByServer() && sent < 1500) {
      const batch = [];
      for (let i = 0; i < 20; i++, sent++) batch.push(sender.sendMessage(conversationId, `${sent} ${body}`, `fh-${sent}`));
      const answers = await Promise.all(batch);
      expect(answers.every((answer) => answer.event === 'message_ack')).toBe(true);
    }
    expect(cutOffByServer()).toBe(true);
    expect(sent).toBeLessThan(1500);
    stalled.terminate();

    const back = await WsTestClient.connect(B.wsUrl, ['access_token', erin.token]);
    back.send('sync', { cursors: { [conversationId]: 0 } });
    const done = await back.next('sync_done', () => true, 30_000);
    expect(done.data.conversations[conversationId]).toBe(sent);
    const seqs = back.framesOf('message').map((m) => m.seq);
    expect(new Set(seqs).size).toBe(sent);
    sender.close();
    back.close();
  });
});
