import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refresh tokens (stored as sha256 hashes, never in the clear) grouped in families: every
 * rotation adds a row to the family, so a rotated token presented again can revoke them all.
 * `users.banned_at` refuses login and refresh for a banned user.
 */
export class RefreshTokensAndBans1764547200000 implements MigrationInterface {
  name = 'RefreshTokensAndBans1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN banned_at timestamptz`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        family_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        replaced_by uuid REFERENCES refresh_tokens(id) ON DELETE SET NULL,
        CONSTRAINT refresh_tokens_token_hash_unique UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`ALTER TABLE users DROP COLUMN banned_at`);
  }
}
