import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `store_messages` stores a small batch of sends (group commit) in one call; batches of
 * FUNCTION_BATCH_LIMIT or more still use the set-based statement in send-statements.ts. That
 * statement is planned by Postgres on every call (about 330 µs), which is most of what a small
 * batch cost; PL/pgSQL keeps the plans of the point lookups below for the life of the
 * connection. Backend CPU per stored message, measured on the real schema: 430 -> 230 µs in
 * batches of 2, 148 -> 100 µs in batches of 8 (docs/PERFORMANCE.md).
 *
 * The rules are the CTE's: conversation rows are locked in id order first (so concurrent
 * batches cannot deadlock); each send is stored only if its sender is a member; sends take
 * consecutive seqs in input order; a failing insert (a repeated clientMsgId) fails the whole
 * call, and the caller retries its sends one by one. Returned columns are cast to the declared
 * types so a later change of a column's type cannot break RETURN QUERY.
 */
export class StoreMessagesFunction1764720000000 implements MigrationInterface {
  name = 'StoreMessagesFunction1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION store_messages(p_conversation_ids uuid[], p_sender_ids uuid[], p_bodies text[], p_client_msg_ids text[])
      RETURNS TABLE (
        id bigint, conversation_id uuid, seq bigint, kind text, sender_id uuid, body text, target_id bigint, subject_user_id uuid,
        client_msg_id text, created_at timestamptz, edited_at timestamptz, deleted_at timestamptz, members_version bigint
      )
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        i int;
        next_seq bigint;
        members_at_seq bigint;
      BEGIN
        PERFORM 1 FROM conversations c WHERE c.id = ANY (p_conversation_ids) ORDER BY c.id FOR UPDATE;
        FOR i IN 1 .. cardinality(p_conversation_ids) LOOP
          UPDATE conversations c SET last_seq = c.last_seq + 1
          WHERE c.id = p_conversation_ids[i]
            AND EXISTS (SELECT 1 FROM conversation_members m WHERE m.conversation_id = p_conversation_ids[i] AND m.user_id = p_sender_ids[i])
          RETURNING c.last_seq, c.members_version INTO next_seq, members_at_seq;
          CONTINUE WHEN NOT FOUND;
          RETURN QUERY
            INSERT INTO messages AS m (conversation_id, seq, kind, sender_id, body, client_msg_id)
            VALUES (p_conversation_ids[i], next_seq, 'message', p_sender_ids[i], p_bodies[i], p_client_msg_ids[i])
            RETURNING m.id::bigint, m.conversation_id::uuid, m.seq::bigint, m.kind::text, m.sender_id::uuid, m.body::text, m.target_id::bigint,
              m.subject_user_id::uuid, m.client_msg_id::text, m.created_at::timestamptz, m.edited_at::timestamptz, m.deleted_at::timestamptz, members_at_seq;
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION store_messages(uuid[], uuid[], text[], text[])`);
  }
}
