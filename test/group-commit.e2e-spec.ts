import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** Many concurrent sends are written in batches; the guarantees must not notice. */
describe('group commit of concurrent sends', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let api: ApiClient;

  beforeAll(async () => {
    relays = await startTestRelays({ env: { WS_RATE_BURST: '1000' } });
    [relay] = relays.instances;
    api = new ApiClient(relay.httpUrl);
  });

  afterAll(async () => {
    await relays?.stop();
  });

  it('keeps seq gap-free, acks each send once, refuses outsiders and answers repeats, under concurrency', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 12; i++) users.push(await api.newUser(`u${i}`));
    const outsider = await api.newUser('outsider');
    const [first, second] = [await api.createGroup(users[0], 'one', users.slice(1).map((u) => u.id)), await api.createGroup(users[0], 'two', users.slice(1, 6).map((u) => u.id))];
    const sockets = await Promise.all(users.map((user) => WsTestClient.connect(relay.wsUrl, ['access_token', user.token])));
    const outsiderSocket = await WsTestClient.connect(relay.wsUrl, ['access_token', outsider.token]);

    const perSocket = 25;
    const answers = await Promise.all(
      sockets.flatMap((socket, s) =>
        Array.from({ length: perSocket }, (_, i) => {
          const conversationId = s < 6 && i % 2 === 1 ? second : first;
          socket.send('send_message', { conversationId, body: `s${s} m${i}`, clientMsgId: `g-${s}-${i}` });
          // Every fifth one is also sent again at once: a retry racing its original.
          if (i % 5 === 0) socket.send('send_message', { conversationId, body: `s${s} m${i}`, clientMsgId: `g-${s}-${i}` });
          return socket.ackOrError(`g-${s}-${i}`, 0, 20_000);
        }),
      ),
    );
    outsiderSocket.send('send_message', { conversationId: first, body: 'let me in', clientMsgId: 'out-1' });
    expect((await outsiderSocket.ackOrError('out-1')).data.code).toBe('conversation_not_found');

    expect(answers.every((answer) => answer.event === 'message_ack')).toBe(true);
    for (const conversationId of [first, second]) {
      const acks = answers.filter((answer) => answer.data.conversationId === conversationId);
      const seqs = acks.map((ack) => ack.data.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: acks.length }, (_, i) => i + 1));
      const stored = await api.request('GET', `/conversations/${conversationId}`, undefined, users[0].token);
      expect(stored.body.lastSeq).toBe(acks.length);
    }
    // Each repeat was answered with its original: same id, marked duplicate.
    for (const socket of sockets) {
      const byClientMsgId = new Map<string, { id: string; duplicate: boolean }[]>();
      for (const ack of socket.framesOf('message_ack')) byClientMsgId.set(ack.clientMsgId, [...(byClientMsgId.get(ack.clientMsgId) ?? []), ack]);
      for (const [clientMsgId, list] of byClientMsgId) {
        const repeated = Number(clientMsgId.split('-')[2]) % 5 === 0;
        expect(list).toHaveLength(repeated ? 2 : 1);
        expect(new Set(list.map((ack) => ack.id)).size).toBe(1);
        expect(list.filter((ack) => !ack.duplicate)).toHaveLength(1);
      }
    }
    for (const socket of [...sockets, outsiderSocket]) socket.close();
  });
  it('answers every send of a burst past the in-flight limit, naming the refused ones, so the client retries exactly those', async () => {
    const [owner, peer] = [await api.newUser('burst'), await api.newUser('burst-peer')];
    const conversationId = await api.createGroup(owner, 'burst', [peer.id]);
    const socket = await WsTestClient.connect(relay.wsUrl, ['access_token', owner.token]);
    // Written in one go: the server reads them faster than it can store them.
    const burst = 400;
    for (let i = 0; i < burst; i++) socket.send('send_message', { conversationId, body: `b${i}`, clientMsgId: `burst-${i}` });
    const answers = await Promise.all(Array.from({ length: burst }, (_, i) => socket.ackOrError(`burst-${i}`, 0, 20_000)));

    const refused = answers.filter((answer) => answer.event === 'error');
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((answer) => answer.data.code))).toEqual(new Set(['unavailable']));
    const seqs = answers.filter((answer) => answer.event === 'message_ack').map((ack) => ack.data.seq as number);
    expect(seqs).toEqual(Array.from({ length: burst - refused.length }, (_, i) => i + 1));

    // The client resends exactly the refused ones; then every message of the burst is stored once.
    const retried = await Promise.all(
      refused.map((answer) => {
        const i = Number(String(answer.data.ref).split('-')[1]);
        return socket.sendMessage(conversationId, `b${i}`, `burst-${i}`);
      }),
    );
    expect(retried.every((answer) => answer.event === 'message_ack' && !answer.data.duplicate)).toBe(true);
    const stored = await api.request('GET', `/conversations/${conversationId}`, undefined, owner.token);
    expect(stored.body.lastSeq).toBe(burst);
    socket.close();
  });
});
