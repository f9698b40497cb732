import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Edits, deletions and membership changes become rows of the conversation's log with their own
 * seq, so catch-up replays them in order with the messages. The original message row keeps
 * the current state (edited body, deleted_at) for history.
 */
export class ConversationEvents1764460800000 implements MigrationInterface {
  name = 'ConversationEvents1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN kind text NOT NULL DEFAULT 'message'
          CHECK (kind IN ('message', 'edit', 'delete', 'member_added', 'member_removed')),
        ADD COLUMN target_id bigint REFERENCES messages(id) ON DELETE CASCADE,
        ADD COLUMN subject_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN edited_at timestamptz,
        ADD COLUMN deleted_at timestamptz,
        ALTER COLUMN body DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM messages WHERE kind <> 'message'`);
    await q.query(`UPDATE messages SET body = '' WHERE body IS NULL`);
    await q.query(`
      ALTER TABLE messages
        ALTER COLUMN body SET NOT NULL,
        DROP COLUMN deleted_at,
        DROP COLUMN edited_at,
        DROP COLUMN subject_user_id,
        DROP COLUMN target_id,
        DROP COLUMN kind`);
  }
}
