import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { OpenSockets } from './support/open-sockets';

/** Three instances as separate processes on one Postgres and one Redis. */
describe('messaging across three instances', () => {
  let relays: TestRelays;
  let instances: RelayInstance[];
  let api: ApiClient;
  const open = new OpenSockets();
  const connect = open.connect;

  beforeAll(async () => {
    // All three start at once on an empty database: the migration lock must let one migrate.
    relays = await startTestRelays({ instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }, { INSTANCE_ID: 'C' }] });
    instances = relays.instances;
    api = new ApiClient(instances[0].httpUrl);
  });

  afterAll(async () => {
    open.closeAll();
    await relays?.stop();
  });

  it('delivers a direct message to every device of both users, whichever instance each is on', async () => {
    const [A, B, C] = instances;
    const alice = await api.newUser('alice');
    const bob = await api.newUser('bob');
    const aliceSender = await connect(alice, A);
    const aliceOtherDevice = await connect(alice, C);
    const bobPhone = await connect(bob, B);
    const bobLaptop = await connect(bob, C);

    aliceSender.send('send_chat_message_to_participant', { participantId: bob.id, message: 'hi bob', clientMsgId: 'dm-1' });
    const ack = await aliceSender.next('message_ack', (data) => data.clientMsgId === 'dm-1');
    expect(ack.data).toMatchObject({ seq: 1, duplicate: false, id: expect.any(String), conversationId: expect.any(String) });

    for (const device of [bobPhone, bobLaptop, aliceOtherDevice]) {
      const received = await device.next('message', (data) => data.clientMsgId === 'dm-1');
      expect(received.data).toMatchObject({ id: ack.data.id, seq: 1, senderId: alice.id, body: 'hi bob', conversationId: ack.data.conversationId });
    }

    // Bob answers over the same conversation; the DM was created once, not per direction.
    bobPhone.send('send_chat_message_to_participant', { participantId: alice.id, message: 'hi alice', clientMsgId: 'dm-2' });
    const reply = await bobPhone.next('message_ack', (data) => data.clientMsgId === 'dm-2');
    expect(reply.data).toMatchObject({ conversationId: ack.data.conversationId, seq: 2 });
    await aliceSender.next('message', (data) => data.clientMsgId === 'dm-2');
    await bobLaptop.next('message', (data) => data.clientMsgId === 'dm-2');
    await aliceOtherDevice.next('message', (data) => data.clientMsgId === 'dm-2');

    // The sending socket gets the ack, not its own message; nobody gets anything twice.
    expect(aliceSender.framesOf('message').map((m) => m.seq)).toEqual([2]);
    expect(bobLaptop.framesOf('message').map((m) => m.seq)).toEqual([1, 2]);
    expect(bobPhone.framesOf('message').map((m) => m.seq)).toEqual([1]);

    const list = await api.request('GET', '/conversations', undefined, bob.token);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ kind: 'direct', lastSeq: 2, lastMessage: { body: 'hi alice' } });
    expect(list.body[0].members.map((m: { id: string }) => m.id).sort()).toEqual([alice.id, bob.id].sort());
  });

  it('delivers group messages to all members on all instances, in seq order, without duplicates', async () => {
    const [A, B, C] = instances;
    const [carol, dan, erin, outsider] = await Promise.all(['carol', 'dan', 'erin', 'outsider'].map((n) => api.newUser(n)));
    const created = await api.request('POST', '/conversations', { name: 'team', memberIds: [dan.id, erin.id] }, carol.token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'group', name: 'team', lastSeq: 0, unreadCount: 0 });
    const conversationId: string = created.body.id;

    const sender = await connect(carol, A);
    const receivers = [await connect(dan, B), await connect(erin, C), await connect(erin, A)];
    const outsiderSocket = await connect(outsider, B);

    const count = 20;
    for (let i = 1; i <= count; i++) sender.send('send_message', { conversationId, body: `msg ${i}`, clientMsgId: `g-${i}` });
    const acks = await Promise.all(Array.from({ length: count }, (_, i) => sender.ackOrError(`g-${i + 1}`)));
    expect(acks.map((ack) => ack.event)).toEqual(Array(count).fill('message_ack'));
    expect(acks.map((ack) => ack.data.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));

    for (const receiver of receivers) {
      await receiver.next('message', (data) => data.seq === count);
      expect(receiver.framesOf('message').filter((m) => m.conversationId === conversationId).map((m) => m.body)).toEqual(
        Array.from({ length: count }, (_, i) => `msg ${i + 1}`),
      );
    }
    // The outsider shares no conversation; a marker to them proves the group traffic has passed.
    const marker = await connect(carol, B);
    marker.send('send_chat_message_to_participant', { participantId: outsider.id, message: 'marker', clientMsgId: 'marker-1' });
    await outsiderSocket.next('message', (data) => data.body === 'marker');
    expect(outsiderSocket.framesOf('message').map((m) => m.body)).toEqual(['marker']);
  });

  it('answers a retried clientMsgId with the original ack and delivers it once', async () => {
    const [A, B] = instances;
    const [frank, gina] = await Promise.all([api.newUser('frank'), api.newUser('gina')]);
    const conversationId = await api.createGroup(frank, 'retry', [gina.id]);
    const sender = await connect(frank, A);
    const receiver = await connect(gina, B);

    const first = await sender.sendMessage(conversationId, 'once', 'retry-1');
    const again = await sender.sendMessage(conversationId, 'once', 'retry-1');
    expect(again.data).toEqual({ ...first.data, duplicate: true });
    const next = await sender.sendMessage(conversationId, 'twice', 'retry-2');
    expect(next.data.seq).toBe(2);

    await receiver.next('message', (data) => data.seq === 2);
    expect(receiver.framesOf('message').map((m) => m.clientMsgId)).toEqual(['retry-1', 'retry-2']);
  });

  it('pages history newest first by beforeSeq, and oldest first by afterSeq', async () => {
    const [henry, iris] = await Promise.all([api.newUser('henry'), api.newUser('iris')]);
    const conversationId = await api.createGroup(henry, 'history', [iris.id]);
    const sender = await connect(henry, instances[1]);
    for (let i = 1; i <= 5; i++) await sender.sendMessage(conversationId, `h${i}`, `h-${i}`);

    const path = `/conversations/${conversationId}/messages`;
    const newest = await api.request('GET', `${path}?limit=2`, undefined, iris.token);
    expect(newest.status).toBe(200);
    expect(newest.body.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 4]);
    expect(newest.body.nextCursor).toBe(4);
    const older = await api.request('GET', `${path}?limit=2&beforeSeq=4`, undefined, iris.token);
    expect(older.body.messages.map((m: { body: string }) => m.body)).toEqual(['h3', 'h2']);
    const last = await api.request('GET', `${path}?limit=2&beforeSeq=2`, undefined, iris.token);
    expect(last.body).toMatchObject({ nextCursor: null });
    expect(last.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    const after = await api.request('GET', `${path}?afterSeq=2&limit=2`, undefined, iris.token);
    expect(after.body.messages.map((m: { seq: number }) => m.seq)).toEqual([3, 4]);

    const list = await api.request('GET', '/conversations', undefined, iris.token);
    expect(list.body[0]).toMatchObject({ id: conversationId, lastSeq: 5, unreadCount: 5 });

    const outsider = await api.newUser('outsider');
    const forbidden = await api.request('GET', path, undefined, outsider.token);
    const missing = await api.request('GET', '/conversations/00000000-0000-4000-8000-000000000000/messages', undefined, outsider.token);
    expect(forbidden.status).toBe(404);
    expect(missing.body).toEqual(forbidden.body);
    expect((await api.request('GET', '/conversations/not-a-uuid/messages', undefined, iris.token)).status).toBe(400);
    expect((await api.request('GET', `${path}?limit=5000`, undefined, iris.token)).status).toBe(400);
  });

  it('refuses a group with unknown members and with invalid input', async () => {
    const owner = await api.newUser('owner');
    const unknown = await api.request('POST', '/conversations', { name: 'x', memberIds: ['00000000-0000-4000-8000-000000000000'] }, owner.token);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'user_not_found' } });
    const invalid = await api.request('POST', '/conversations', { name: '', memberIds: 'nope' }, owner.token);
    expect(invalid.status).toBe(400);
  });
});
