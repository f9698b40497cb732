import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { startTestRelays, TestRelays } from './support/test-relays';
import { ThrowawayRedis } from './support/throwaway-redis';
import { WsTestClient } from './support/ws-client';

/** What clients see when Redis restarts under an instance, and when an instance shuts down. */
describe('instance lifecycle', () => {
  let redis: ThrowawayRedis;
  let relays: TestRelays;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    redis = await ThrowawayRedis.create();
    relays = await startTestRelays({ env: { REDIS_URL: redis.url }, instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }], oneAtATime: true });
    const api = new ApiClient(relays.instances[0].httpUrl);
    [alice, bob] = [await api.newUser('alice'), await api.newUser('bob')];
    conversationId = await api.createGroup(alice, 'lifecycle', [bob.id]);
  });

  afterAll(async () => {
    await relays?.stop();
    await redis?.stop();
  });

  it('keeps delivering locally while Redis is down, tells clients to resync after, and relays again', async () => {
    const [A, B] = relays.instances;
    const sender = await WsTestClient.connect(A.wsUrl, ['access_token', alice.token]);
    const receiver = await WsTestClient.connect(B.wsUrl, ['access_token', bob.token]);
    const localReceiver = await WsTestClient.connect(A.wsUrl, ['access_token', bob.token]);

    await redis.stop();
    // Sends still commit and ack while Redis is down, and reach sockets on the same instance;
    // only the relay to B is lost.
    const duringOutage = await sender.sendMessage(conversationId, 'while redis is down', 'r-1');
    expect(duringOutage).toMatchObject({ event: 'message_ack', data: { seq: 1 } });
    expect((await localReceiver.next('message', (data) => data.seq === 1)).data.body).toBe('while redis is down');
    await redis.start();

    await receiver.next('resync', () => true, 15_000);
    // What a client does on resync: fetch what it missed, after its last seen seq.
    const missed = await new ApiClient(B.httpUrl).request('GET', `/conversations/${conversationId}/messages?afterSeq=0`, undefined, bob.token);
    expect(missed.body.messages.map((m: { body: string }) => m.body)).toEqual(['while redis is down']);

    // Remote delivery resumes by itself once both instances are back on Redis (each re-registers
    // its users for routing first). Sends keep being acked meanwhile; poll with fresh ones until
    // one arrives live at B, within a bound.
    let delivered: string | undefined;
    for (let attempt = 1; attempt <= 30 && !delivered; attempt++) {
      const ack = await sender.sendMessage(conversationId, `after redis is back ${attempt}`, `r-back-${attempt}`);
      expect(ack.event).toBe('message_ack');
      delivered = await receiver
        .next('message', (data) => data.seq === ack.data.seq, 500)
        .then((frame) => frame.data.body as string, () => undefined);
    }
    expect(delivered).toMatch(/^after redis is back/);
    sender.close();
    receiver.close();
    localReceiver.close();
  });

  it('on SIGTERM finishes and acks the sends in flight, closes sockets with 1012 and exits 0', async () => {
    const [, B] = relays.instances;
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
