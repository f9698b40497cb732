import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMessage } from '../src/chat/conversation-log';
import type * as SendStatements from '../src/chat/send-statements';
import type * as StatementPoolModule from '../src/database/statement-pool';
import { ApiClient, TestUser } from './support/api-client';
import { fromDist, InProcessInstance, startInProcessInstance } from './support/in-process-instance';
import { createTestDatabase, REDIS_URL, uniqueChannelPrefix } from './support/services';

const { insertBatch, FUNCTION_BATCH_LIMIT } = fromDist<typeof SendStatements>('chat/send-statements');
const { StatementPool } = fromDist<typeof StatementPoolModule>('database/statement-pool');

/**
 * A batch of sends is stored by one of two statements depending on its size (the
 * store_messages function below FUNCTION_BATCH_LIMIT, one set-based statement from it on).
 * Both must keep the same rules; each is driven here directly against real Postgres.
 */
describe('storing a batch of sends', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Client;
  let instance: InProcessInstance;
  let pool: StatementPoolModule.StatementPool;
  let ann: TestUser;
  let ben: TestUser;
  let outsider: TestUser;
  let first: string;
  let second: string;
  let counter = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    instance = await startInProcessInstance({ DATABASE_URL: db.url, REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix() });
    pool = instance.app.get(StatementPool);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const api = new ApiClient(instance.url);
    [ann, ben, outsider] = [await api.newUser('ann'), await api.newUser('ben'), await api.newUser('outsider')];
    first = await api.createGroup(ann, 'first', [ben.id]);
    second = await api.createGroup(ben, 'second', [ann.id]);
  });

  afterAll(async () => {
    await sql?.end();
    await instance?.close();
    await db?.drop();
  });

  async function lastSeq(conversationId: string): Promise<number> {
    const { rows } = await sql.query<{ last_seq: string }>('SELECT last_seq FROM conversations WHERE id = $1', [conversationId]);
    return Number(rows[0].last_seq);
  }

  /** Sends alternating over both conversations and both members, with an outsider's every fifth. */
  function batchOf(size: number): NewMessage[] {
    return Array.from({ length: size }, (_, i) => ({
      conversationId: i % 3 === 2 ? second : first,
      senderId: i % 5 === 4 ? outsider.id : i % 2 === 0 ? ann.id : ben.id,
      body: `body ${counter}`,
      clientMsgId: `batch-${counter++}`,
    }));
  }

  for (const [path, size] of [
    ['store_messages', FUNCTION_BATCH_LIMIT - 1],
    ['the set-based statement', FUNCTION_BATCH_LIMIT],
  ] as const) {
    it(`${path} (${size} sends): consecutive seqs per conversation in input order, outsiders refused`, async () => {
      const next = new Map([
        [first, await lastSeq(first)],
        [second, await lastSeq(second)],
      ]);
      const batch = batchOf(size);
      const stored = await insertBatch(pool, batch);

      expect(stored.messages).toHaveLength(size);
      batch.forEach((input, i) => {
        const message = stored.messages[i];
        if (input.senderId === outsider.id) return expect(message).toBeNull();
        const seq = next.get(input.conversationId)! + 1;
        next.set(input.conversationId, seq);
        expect(message).toMatchObject({ conversationId: input.conversationId, senderId: input.senderId, body: input.body, clientMsgId: input.clientMsgId, seq });
      });
      expect(await lastSeq(first)).toBe(next.get(first));
      expect(await lastSeq(second)).toBe(next.get(second));
      expect([...stored.membersVersions.keys()].sort()).toEqual([first, second].sort());
    });

    it(`${path} (${size} sends): a repeated clientMsgId fails the whole batch and stores none of it`, async () => {
      const before = [await lastSeq(first), await lastSeq(second)];
      const [earlier] = (await insertBatch(pool, batchOf(2))).messages;
      const batch = batchOf(size);
      batch[size - 1] = { conversationId: first, senderId: earlier!.senderId, body: 'again', clientMsgId: earlier!.clientMsgId };

      await expect(insertBatch(pool, batch)).rejects.toMatchObject({ code: '23505' });
      // Only the two sends of the earlier batch moved the counters.
      expect((await lastSeq(first)) + (await lastSeq(second))).toBe(before[0] + before[1] + 2);
    });
  }
});
