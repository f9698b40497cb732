import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { OpenSockets } from './support/open-sockets';

/** Catch-up, edits and deletes, read receipts, typing and membership, across two instances. */
describe('conversation features', () => {
  let relays: TestRelays;
  let A: RelayInstance;
  let B: RelayInstance;
  let api: ApiClient;
  const open = new OpenSockets();
  const connect = open.connect;
  const group = async (owner: TestUser, ...members: TestUser[]) => api.createGroup(owner, 'features', members.map((m) => m.id));

  beforeAll(async () => {
    // The catch-up test sends 150 frames at once, over the default per-socket rate limit.
    relays = await startTestRelays({ env: { WS_RATE_BURST: '1000', WS_RATE_PER_SECOND: '1000' }, instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }] });
    [A, B] = relays.instances;
    api = new ApiClient(A.httpUrl);
  });

  afterAll(async () => {
    open.closeAll();
    await relays?.stop();
  });

  it('catches a reconnecting client up from its cursors, in order, in pages, then sync_done', async () => {
    const [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
    const conversationId = await group(alice, bob);
    const sender = await connect(alice, A);
    // In batches: a socket may have at most 256 frames in flight.
    for (let batch = 0; batch < 450; batch += 150) {
      for (let i = batch + 1; i <= batch + 150; i++) sender.send('send_message', { conversationId, body: `m${i}`, clientMsgId: `s-${i}` });
      await sender.next('message_ack', (data) => data.clientMsgId === `s-${batch + 150}`, 30_000);
    }

    // Bob was offline and has seen up to seq 10.
    const bobSocket = await connect(bob, B);
    bobSocket.send('sync', { cursors: { [conversationId]: 10 } });
    const done = await bobSocket.next('sync_done', () => true, 30_000);
    expect(done.data.conversations).toEqual({ [conversationId]: 450 });
    // The newest message may also arrive live (the socket is registered before catch-up), before
    // or among the catch-up frames; a client drops the seq it already has. The rest is in order.
    const seqs: number[] = bobSocket.framesOf('message').map((m) => m.seq);
    const firstSeen = seqs.filter((seq, index) => seqs.indexOf(seq) === index);
    expect(firstSeen.filter((seq) => seq !== 450)).toEqual(Array.from({ length: 439 }, (_, i) => i + 11));
    expect(firstSeen).toContain(450);
    expect(seqs.length - firstSeen.length).toBeLessThanOrEqual(1);

    // Without cursors a conversation starts from the read cursor (0 here): everything.
    const fresh = await connect(bob, A);
    fresh.send('sync', {});
    await fresh.next('sync_done', () => true, 30_000);
    expect(fresh.framesOf('message')).toHaveLength(450);
  });

  it('turns edits and deletes into log entries with their own seq, and history shows the current state', async () => {
    const [carol, dan] = await Promise.all([api.newUser('carol'), api.newUser('dan')]);
    const conversationId = await group(carol, dan);
    const author = await connect(carol, A);
    const reader = await connect(dan, B);
    const original = await author.sendMessage(conversationId, 'helo', 'e-1');

    author.send('edit_message', { messageId: original.data.id, body: 'hello', clientMsgId: 'e-2' });
    expect((await author.ackOrError('e-2')).data).toMatchObject({ seq: 2 });
    author.send('delete_message', { messageId: original.data.id, clientMsgId: 'e-3' });
    expect((await author.ackOrError('e-3')).data).toMatchObject({ seq: 3 });

    await reader.next('message', (data) => data.seq === 3);
    expect(reader.framesOf('message').map((m) => [m.seq, m.kind, m.targetId ?? null, m.body])).toEqual([
      [1, 'message', null, 'helo'],
      [2, 'edit', original.data.id, 'hello'],
      [3, 'delete', original.data.id, null],
    ]);

    const history = await api.request('GET', `/conversations/${conversationId}/messages?afterSeq=0`, undefined, dan.token);
    expect(history.body.messages[0]).toMatchObject({ seq: 1, kind: 'message', body: null, editedAt: expect.any(String), deletedAt: expect.any(String) });

    // Only your own, live messages can be changed; all failures look the same.
    reader.send('edit_message', { messageId: original.data.id, body: 'hijack', clientMsgId: 'x-1' });
    expect((await reader.ackOrError('x-1')).data.code).toBe('message_not_found');
    author.send('edit_message', { messageId: original.data.id, body: 'again', clientMsgId: 'x-2' });
    expect((await author.ackOrError('x-2')).data.code).toBe('message_not_found');
  });

  it('moves read cursors forward only, tells members, and derives unread counts', async () => {
    const [erin, finn] = await Promise.all([api.newUser('erin'), api.newUser('finn')]);
    const conversationId = await group(erin, finn);
    const writer = await connect(erin, A);
    for (let i = 1; i <= 5; i++) await writer.sendMessage(conversationId, `r${i}`, `r-${i}`);
    const finnPhone = await connect(finn, B);
    const finnLaptop = await connect(finn, A);

    finnPhone.send('mark_read', { conversationId, seq: 3 });
    // The reader's own socket hears it too (or gets the error, which then shows in the failure).
    const own = await finnPhone.nextWhere((frame) => frame.event === 'read' || frame.event === 'error', 10_000, 'read or error');
    expect(own).toEqual({ event: 'read', data: { conversationId, userId: finn.id, seq: 3 } });
    expect((await writer.next('read', (data) => data.userId === finn.id)).data).toEqual({ conversationId, userId: finn.id, seq: 3 });
    await finnLaptop.next('read', (data) => data.seq === 3);
    const list = await api.request('GET', '/conversations', undefined, finn.token);
    expect(list.body[0]).toMatchObject({ lastSeq: 5, lastReadSeq: 3, unreadCount: 2 });

    // Backwards is a no-op, confirmed to the asker only; past the end clamps to lastSeq.
    finnPhone.send('mark_read', { conversationId, seq: 1 });
    expect((await finnPhone.next('read', (data) => data.seq === 3 && finnPhone.framesOf('read').length === 2)).data.seq).toBe(3);
    finnPhone.send('mark_read', { conversationId, seq: 99 });
    await writer.next('read', (data) => data.seq === 5);
    const after = await api.request('GET', '/conversations', undefined, finn.token);
    expect(after.body[0]).toMatchObject({ lastReadSeq: 5, unreadCount: 0 });
    expect(writer.framesOf('read').map((r) => r.seq)).toEqual([3, 5]);
  });

  it('relays typing to the other members only, never stores it, and rate-limits it', async () => {
    const [gina, hank] = await Promise.all([api.newUser('gina'), api.newUser('hank')]);
    const conversationId = await group(gina, hank);
    const typist = await connect(gina, A);
    const typistOtherDevice = await connect(gina, B);
    const watcher = await connect(hank, B);
    // Typing is relayed only to instances that hold a recipient, and is never stored. Hank's
    // registration on B reaches Redis just after his `ready`, and gina hears he is online only
    // once it has: before that a typing event would be routed past him, and lost.
    await typist.next('presence', (data) => data.userId === hank.id && data.online === true);

    typist.send('typing', { conversationId });
    expect((await watcher.next('typing')).data).toEqual({ conversationId, userId: gina.id });
    for (let i = 0; i < 5; i++) typist.send('typing', { conversationId }, `t-${i}`);
    const limited = await typist.next('error', (data) => data.code === 'rate_limited');
    expect(limited.data.retryable).toBe(true);

    const history = await api.request('GET', `/conversations/${conversationId}/messages`, undefined, hank.token);
    expect(history.body.messages).toEqual([]);
    // The typist's own devices are not "other members".
    await typist.sendMessage(conversationId, 'marker', 'tm-1');
    await typistOtherDevice.next('message', (data) => data.body === 'marker');
    expect(typistOtherDevice.framesOf('typing')).toEqual([]);
  });

  it('adds and removes members: a removed member stops receiving at once and can no longer read', async () => {
    const [owner, ivy, jay] = await Promise.all([api.newUser('owner'), api.newUser('ivy'), api.newUser('jay')]);
    const conversationId = await group(owner, ivy);
    const ownerSocket = await connect(owner, A);
    const jaySocket = await connect(jay, B);
    const ivySocket = await connect(ivy, B);
    // A send before the membership changes, so the sending instance has the member list cached.
    await ownerSocket.sendMessage(conversationId, 'before jay', 'w-0');
    await ivySocket.next('message', (data) => data.body === 'before jay');

    const added = await api.request('POST', `/conversations/${conversationId}/members`, { userIds: [jay.id] }, owner.token);
    expect(added.status).toBe(201);
    expect((await jaySocket.next('message', (data) => data.kind === 'member_added')).data.subjectUserId).toBe(jay.id);
    await ownerSocket.sendMessage(conversationId, 'welcome jay', 'w-1');
    await jaySocket.next('message', (data) => data.body === 'welcome jay');

    expect((await api.request('POST', `/conversations/${conversationId}/members`, { userIds: [owner.id] }, ivy.token)).status).toBe(403);

    const removed = await api.request('DELETE', `/conversations/${conversationId}/members/${jay.id}`, undefined, owner.token);
    expect(removed.status).toBe(204);
    await jaySocket.next('message', (data) => data.kind === 'member_removed');
    await ownerSocket.sendMessage(conversationId, 'jay is gone', 'w-2');
    await ivySocket.next('message', (data) => data.body === 'jay is gone');
    // Proof that nothing more reached Jay: a DM sent after it arrives, and is the only thing since.
    const before = jaySocket.framesOf('message').length;
    ownerSocket.send('send_chat_message_to_participant', { participantId: jay.id, message: 'dm marker', clientMsgId: 'w-3' });
    await jaySocket.next('message', (data) => data.body === 'dm marker');
    expect(jaySocket.framesOf('message').slice(before).map((m) => m.body)).toEqual(['dm marker']);

    const read = await api.request('GET', `/conversations/${conversationId}/messages`, undefined, jay.token);
    expect(read.status).toBe(404);
    jaySocket.send('send_message', { conversationId, body: 'let me back', clientMsgId: 'w-4' });
    expect((await jaySocket.ackOrError('w-4')).data.code).toBe('conversation_not_found');
  });
});
