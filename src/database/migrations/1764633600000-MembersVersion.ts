import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `conversations.members_version` counts membership changes, so an instance can cache a
 * conversation's member list and know when it is stale. A trigger bumps it on every insert or
 * delete of a membership row, whatever code path (or cascade) did it. The bump takes the
 * conversation's row lock, the same lock a send's seq bump takes, so the version a send reads
 * under that lock is exactly the membership at its seq.
 */
export class MembersVersion1764633600000 implements MigrationInterface {
  name = 'MembersVersion1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations ADD COLUMN members_version bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE FUNCTION bump_members_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE conversations SET members_version = members_version + 1
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER conversation_members_bump_version
      AFTER INSERT OR DELETE ON conversation_members
      FOR EACH ROW EXECUTE FUNCTION bump_members_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER conversation_members_bump_version ON conversation_members`);
    await q.query(`DROP FUNCTION bump_members_version()`);
    await q.query(`ALTER TABLE conversations DROP COLUMN members_version`);
  }
}
