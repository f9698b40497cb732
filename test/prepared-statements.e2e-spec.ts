import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/**
 * The send statement is prepared on each pooled connection. With the smallest pool and one send
 * at a time, every send takes the connection the previous one released (the pool reuses the
 * most recently released), so what happens to that connection is what the test sees.
 */
describe('prepared send statement', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let db: Client;
  let sender: WsTestClient;
  let receiver: WsTestClient;
  let conversationId: string;
  let ben: TestUser;

  beforeAll(async () => {
    relays = await startTestRelays({ env: { DATABASE_POOL_SIZE: '2' } });
    [relay] = relays.instances;
    db = new Client({ connectionString: relays.env.DATABASE_URL });
    await db.connect();
    const api = new ApiClient(relay.httpUrl);
    const ann: TestUser = await api.newUser('ann');
    ben = await api.newUser('ben');
    conversationId = await api.createGroup(ann, 'prepared', [ben.id]);
    sender = await WsTestClient.connect(relay.wsUrl, ['access_token', ann.token]);
    receiver = await WsTestClient.connect(relay.wsUrl, ['access_token', ben.token]);
    // Each arrival's contact lookup (for its presence announcement) runs on a pooled connection
    // up to 10 ms later; once ann hears that ben is online, neither lookup can still take the
    // connection the sends use.
    await sender.next('presence', (data) => data.userId === ben.id && data.online === true);
  });

  afterAll(async () => {
    sender?.close();
    receiver?.close();
    await db?.end();
    await relays?.stop();
  });

  /** The backend whose last statement was on the send path (the insert, or the member read after it): the connection sends are using. */
  async function sendingBackend(): Promise<number | undefined> {
    const result = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND (query LIKE 'WITH bumped%' OR query LIKE 'SELECT c.id, c.members_version%')`,
    );
    return result.rows[0]?.pid;
  }

  it('keeps its connection when a send is refused as a repeat', async () => {
    expect((await sender.sendMessage(conversationId, 'first', 'p-1')).data).toMatchObject({ seq: 1, duplicate: false });
    const backend = await sendingBackend();
    expect(backend).toBeDefined();
    expect((await sender.sendMessage(conversationId, 'first', 'p-1')).data).toMatchObject({ seq: 1, duplicate: true });
    expect((await sender.sendMessage(conversationId, 'second', 'p-2')).data).toMatchObject({ seq: 2, duplicate: false });
    expect(await sendingBackend()).toBe(backend);
  });

  it('still stores sends after a migration changes the type of a column the statement returns', async () => {
    expect((await sender.sendMessage(conversationId, 'before', 'p-3')).event).toBe('message_ack');
    // As a newer release's migration could, while this instance still runs (a rolling deploy).
    await db.query('ALTER TABLE messages ALTER COLUMN body TYPE varchar(100000)');
    const ack = await sender.sendMessage(conversationId, 'after the migration', 'p-4');
    expect(ack).toMatchObject({ event: 'message_ack', data: { duplicate: false } });
    expect((await receiver.next('message', (data) => data.body === 'after the migration')).data.seq).toBe(ack.data.seq);
    expect((await sender.sendMessage(conversationId, 'and after that', 'p-5')).event).toBe('message_ack');
  });
});
