import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764374400000 implements MigrationInterface {
  name = 'InitialSchema1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        display_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_unique UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('direct', 'group')),
        name text,
        direct_key text,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_direct_key_unique UNIQUE (direct_key),
        CONSTRAINT conversations_direct_has_key CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE conversation_members (
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
        last_read_seq bigint NOT NULL DEFAULT 0,
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, user_id)
      )`);
    await q.query(`CREATE INDEX conversation_members_user_idx ON conversation_members (user_id)`);
    await q.query(`
      CREATE TABLE messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        sender_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        body text NOT NULL,
        client_msg_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_conversation_seq_unique UNIQUE (conversation_id, seq)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX messages_sender_client_msg_id_unique ON messages (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversation_members`);
    await q.query(`DROP TABLE conversations`);
    await q.query(`DROP TABLE users`);
  }
}
