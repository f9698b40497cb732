import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { OpenSockets } from './support/open-sockets';

const LONG_BODY_CHARS = 60_000;
const BACKLOG = 250;
/** Sends in flight at once while the backlog is written, under the per-socket limit of frames in flight. */
const SEND_CHUNK = 50;
/** Live messages sent, one after another, while the syncing client is not reading. */
const LIVE_WHILE_STALLED = 200;

/**
 * A client catching up on a large backlog reads as fast as it can; it must never be mistaken
 * for a slow consumer, even when live messages arrive while its catch-up is being written.
 */
describe('catch-up of a large backlog', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let api: ApiClient;
  let alice: TestUser;
  let bob: TestUser;
  const open = new OpenSockets();

  beforeAll(async () => {
    relays = await startTestRelays({
      env: {
        MESSAGE_MAX_CHARS: String(LONG_BODY_CHARS),
        WS_MAX_PAYLOAD_BYTES: String(2 * LONG_BODY_CHARS),
        WS_RATE_BURST: '10000',
        WS_RATE_PER_SECOND: '10000',
      },
    });
    [relay] = relays.instances;
    api = new ApiClient(relay.httpUrl);
    [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
  });

  afterAll(async () => {
    open.closeAll();
    await relays?.stop();
  });

  it('stays within the slow-consumer bound while a stalled reader syncs long messages, live messages arriving meanwhile', async () => {
    const conversationId = await api.createGroup(alice, 'backlog', [bob.id]);
    const aliceSocket = await open.connect(alice, relay);
    const body = 'x'.repeat(LONG_BODY_CHARS);
    const backlogSeqs: number[] = [];
    for (let first = 0; first < BACKLOG; first += SEND_CHUNK) {
      const acks = await Promise.all(
        Array.from({ length: SEND_CHUNK }, (_, i) => aliceSocket.sendMessage(conversationId, body, `backlog-${first + i}`)),
      );
      backlogSeqs.push(...acks.map((ack) => ack.data.seq as number));
    }

    const bobSocket = await open.connect(bob, relay);
    const closed = new Promise<number>((resolve) => bobSocket.socket.once('close', (code) => resolve(code)));
    // Bob asks for the backlog, then stops reading for a while (a stalled mobile link), while
    // live messages keep coming: each live frame checks his socket against the slow-consumer bound.
    bobSocket.send('sync', { cursors: { [conversationId]: 0 } });
    bobSocket.socket.pause();
    for (let i = 0; i < LIVE_WHILE_STALLED; i++) await aliceSocket.sendMessage(conversationId, 'live', `live-${i}`);
    bobSocket.socket.resume();
    const done = await Promise.race([
      bobSocket.next('sync_done', () => true, 60_000),
      closed.then((code) => {
        throw new Error(`the syncing socket was closed with ${code}`);
      }),
    ]);

    const seqs = new Set(bobSocket.framesOf('message').map((m: { seq: number }) => m.seq));
    expect(backlogSeqs.filter((seq) => !seqs.has(seq))).toEqual([]);
    expect(done.data.conversations[conversationId]).toBeGreaterThanOrEqual(Math.max(...backlogSeqs));
    expect(bobSocket.socket.readyState).toBe(bobSocket.socket.OPEN);
  });

  it('streams a backlog of long, short and deleted entries whole, in seq order, once each', async () => {
    const conversationId = await api.createGroup(alice, 'mixed', [bob.id]);
    const aliceSocket = await open.connect(alice, relay);
    // Pages are cut by body bytes as well as by count: long and short entries make pages of every size.
    const bodies = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `${i}`.padEnd(LONG_BODY_CHARS, 'y') : `short ${i}`));
    const acks = await Promise.all(bodies.map((body, i) => aliceSocket.sendMessage(conversationId, body, `mixed-${i}`)));
    aliceSocket.send('delete_message', { messageId: acks[3].data.id, clientMsgId: 'mixed-delete' });
    await aliceSocket.ackOrError('mixed-delete');

    const bobSocket = await open.connect(bob, relay);
    bobSocket.send('sync', { cursors: { [conversationId]: 0 } });
    await bobSocket.next('sync_done', () => true, 30_000);

    const streamed = bobSocket.framesOf('message').filter((m) => m.conversationId === conversationId);
    expect(streamed.map((m) => m.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    const expectedBodies = acks.map((ack, i) => [ack.data.seq, i === 3 ? null : bodies[i]]);
    expect(streamed.slice(0, 40).map((m) => [m.seq, m.body])).toEqual(expectedBodies.sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(streamed[40]).toMatchObject({ kind: 'delete', targetId: acks[3].data.id });
  });
});
