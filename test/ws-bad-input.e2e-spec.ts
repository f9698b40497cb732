import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** Every bad frame gets a clear `error` event and the socket stays open; nothing crashes the process. */
describe('WebSocket bad input', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let api: ApiClient;
  let alice: TestUser;
  let bob: TestUser;
  let socket: WsTestClient;
  let conversationId: string;
  let othersConversationId: string;

  beforeAll(async () => {
    relays = await startTestRelays({ env: { MESSAGE_MAX_CHARS: '100' } });
    [relay] = relays.instances;
    api = new ApiClient(relay.httpUrl);
    const [carol, dave] = await Promise.all([api.newUser('carol'), api.newUser('dave')]);
    [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
    conversationId = await api.createGroup(alice, 'ours', [bob.id]);
    othersConversationId = await api.createGroup(carol, 'theirs', [dave.id]);
    socket = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
  });

  afterAll(async () => {
    socket?.close();
    await relays?.stop();
  });

  /** Sends a raw frame and returns the error it causes (tagged by a unique ref where the frame allows). */
  const errorFor = async (raw: string | Buffer, binary = false) => {
    const since = socket.frames.length;
    socket.sendRaw(raw, binary);
    return (await socket.nextWhere((frame) => frame.event === 'error', 5000, 'an error', since)).data;
  };

  it.each([
    ['non-JSON text', 'hello there', 'bad_json'],
    ['truncated JSON', '{"event":"send_message","data":{', 'bad_json'],
    ['a JSON array', '[1,2,3]', 'bad_frame'],
    ['a JSON string', '"send_message"', 'bad_frame'],
    ['a frame without event', '{"data":{}}', 'bad_frame'],
    ['a numeric event', '{"event":42,"data":{}}', 'bad_frame'],
    ['an unknown event', '{"event":"launch_rockets","data":{}}', 'unknown_event'],
    ['a prototype key as event', '{"event":"constructor","data":{}}', 'unknown_event'],
  ])('answers %s with %s', async (_name, raw, code) => {
    const error = await errorFor(raw);
    expect(error).toMatchObject({ code, retryable: false, message: expect.any(String) });
  });

  it('answers a binary frame with bad_frame', async () => {
    expect(await errorFor(Buffer.from([1, 2, 3]), true)).toMatchObject({ code: 'bad_frame' });
  });

  it('echoes the frame id as ref, else the clientMsgId', async () => {
    expect(await errorFor(JSON.stringify({ event: 'nope', data: {}, id: 'frame-7' }))).toMatchObject({ code: 'unknown_event', ref: 'frame-7' });
    expect(await errorFor(JSON.stringify({ event: 'nope', data: { clientMsgId: 'c-9' } }))).toMatchObject({ ref: 'c-9' });
  });

  it.each([
    ['missing data', { event: 'send_message' }, /data/],
    ['data that is not an object', { event: 'send_message', data: 'hi' }, /data/],
    ['a missing body', { event: 'send_message', data: { conversationId: '00000000-0000-4000-8000-000000000000' } }, /body/],
    ['a non-UUID conversationId', { event: 'send_message', data: { conversationId: 'abc', body: 'hi' } }, /conversationId/],
    ['a body of the wrong type', { event: 'send_message', data: { conversationId: '00000000-0000-4000-8000-000000000000', body: 5 } }, /body/],
    ['an unknown field', { event: 'send_message', data: { conversationId: '00000000-0000-4000-8000-000000000000', body: 'x', admin: true } }, /admin/],
    ['a bad clientMsgId', { event: 'send_message', data: { conversationId: '00000000-0000-4000-8000-000000000000', body: 'x', clientMsgId: 'has spaces' } }, /clientMsgId/],
    ['a DM without participantId', { event: 'send_chat_message_to_participant', data: { message: 'hi' } }, /participantId/],
  ])('rejects %s with validation_failed naming the field', async (_name, frame, field) => {
    const error = await errorFor(JSON.stringify(frame));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(field);
  });

  it.each([
    ['deep nesting', `{"event":"sync","id":"deep","data":{"cursors":${'['.repeat(20)}${']'.repeat(20)}}}`, /nested deeper than 8 levels/],
    ['a huge array', JSON.stringify({ event: 'sync', id: 'wide', data: { cursors: new Array(1001).fill(1) } }), /array of more than 1000 items/],
    ['an object with too many keys', JSON.stringify({ event: 'sync', id: 'keys', data: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 0])) }), /more than 1000 keys/],
  ])('rejects %s with bad_frame before validation, echoing the id', async (_name, raw, message) => {
    const error = await errorFor(raw);
    expect(error).toMatchObject({ code: 'bad_frame', ref: JSON.parse(raw).id, message: expect.stringMatching(message) });
  });

  it('rejects a body over MESSAGE_MAX_CHARS with message_too_long', async () => {
    const error = await errorFor(JSON.stringify({ event: 'send_message', data: { conversationId, body: 'x'.repeat(101), clientMsgId: 'long-1' } }));
    expect(error).toMatchObject({ code: 'message_too_long', ref: 'long-1' });
  });

  it('answers a conversation you are not in exactly like one that does not exist', async () => {
    const notMine = await socket.sendMessage(othersConversationId, 'let me in', 'nm-1');
    const missing = await socket.sendMessage('00000000-0000-4000-8000-000000000000', 'anyone?', 'nm-2');
    expect(notMine).toMatchObject({ event: 'error', data: { code: 'conversation_not_found' } });
    expect(missing.data).toEqual({ ...notMine.data, ref: 'nm-2' });
  });

  it('refuses a DM to yourself and to an unknown user', async () => {
    const since = socket.frames.length;
    socket.send('send_chat_message_to_participant', { participantId: alice.id, message: 'me', clientMsgId: 'self-1' });
    socket.send('send_chat_message_to_participant', { participantId: '00000000-0000-4000-8000-000000000000', message: 'who', clientMsgId: 'ghost-1' });
    expect((await socket.ackOrError('self-1', since)).data.code).toBe('cannot_message_self');
    expect((await socket.ackOrError('ghost-1', since)).data.code).toBe('user_not_found');
  });

  it('keeps the socket open after all of that: a valid send is acked', async () => {
    const ack = await socket.sendMessage(conversationId, 'still here', 'ok-1');
    expect(ack).toMatchObject({ event: 'message_ack', data: { seq: 1 } });
    expect(socket.framesOf('message_ack')).toHaveLength(1);
  });

  it('closes with 1009 a frame over the max payload, and the process serves others', async () => {
    const victim = await WsTestClient.connect(relay.wsUrl, ['access_token', bob.token]);
    victim.sendRaw(JSON.stringify({ event: 'send_message', data: { conversationId, body: 'x'.repeat(20 * 1024) } }));
    expect((await victim.closed).code).toBe(1009);
    const ack = await socket.sendMessage(conversationId, 'after the big one', 'ok-2');
    expect(ack).toMatchObject({ event: 'message_ack', data: { seq: 2 } });
    expect(relay.process.exitCode).toBeNull();
  });
});
