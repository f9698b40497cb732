import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { REDIS_URL, uniqueChannelPrefix } from './support/services';
import { ThrowawayPostgres } from './support/throwaway-postgres';
import { WsTestClient } from './support/ws-client';

describe('Postgres unreachable: nothing is acked that was not stored', () => {
  let postgres: ThrowawayPostgres;
  let relay: RelayInstance;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let aliceSocket: WsTestClient;
  let bobSocket: WsTestClient;

  beforeAll(async () => {
    postgres = await ThrowawayPostgres.create();
    relay = await RelayInstance.start({
      DATABASE_URL: postgres.url,
      REDIS_URL,
      REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(),
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    });
    const api = new ApiClient(relay.httpUrl);
    [alice, bob] = [await api.newUser('alice'), await api.newUser('bob')];
    conversationId = await api.createGroup(alice, 'outage', [bob.id]);
    aliceSocket = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
    bobSocket = await WsTestClient.connect(relay.wsUrl, ['access_token', bob.token]);
  });

  afterAll(async () => {
    aliceSocket?.close();
    bobSocket?.close();
    await relay?.stop();
    postgres?.destroy();
  });

  it('answers a send with a retryable error, never an ack, and recovers when Postgres is back', async () => {
    const first = await aliceSocket.sendMessage(conversationId, 'before the outage', 'm-1');
    expect(first).toMatchObject({ event: 'message_ack', data: { seq: 1 } });

    postgres.stop();
    const started = Date.now();
    const failed = await aliceSocket.sendMessage(conversationId, 'during the outage', 'm-2');
    expect(failed.event).toBe('error');
    expect(failed.data).toMatchObject({ code: 'unavailable', retryable: true, ref: 'm-2' });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(relay.process.exitCode).toBeNull();

    postgres.start();
    // The client retries with the same clientMsgId, as the protocol asks; it was never stored,
    // so this is a new message with the next seq rather than a duplicate.
    let retried = await aliceSocket.sendMessage(conversationId, 'during the outage', 'm-2');
    for (let attempt = 0; retried.event === 'error' && attempt < 20; attempt++) {
      expect(retried.data.retryable).toBe(true);
      retried = await aliceSocket.sendMessage(conversationId, 'during the outage', `m-2`);
    }
    expect(retried).toMatchObject({ event: 'message_ack', data: { seq: 2, duplicate: false } });

    const delivered = await bobSocket.next('message', (data) => data.seq === 2);
    expect(delivered.data.body).toBe('during the outage');
    expect(bobSocket.framesOf('message').map((message) => message.seq)).toEqual([1, 2]);
    expect(aliceSocket.framesOf('message_ack').filter((ack) => ack.clientMsgId === 'm-2')).toHaveLength(1);
  });
});
