import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { PasswordHasher } from '../auth/password-hasher.service';
import { loadConfig } from '../config/app-config';
import { withScriptDatabase } from './with-script-database';

/** Demo accounts for trying Relay out; documented in the README. */
export const DEMO_PASSWORD = 'relay-demo-password';
const DEMO_USERS = ['alice', 'bob', 'carol', 'dave'];

/** Creates the demo users if they are missing (idempotent), on the same database the server uses. */
async function seed(): Promise<void> {
  const logger = new Logger('Seed');
  const config = loadConfig();
  await withScriptDatabase(config, async (db) => {
    const hasher = new PasswordHasher();
    const passwordHash = await hasher.hash(DEMO_PASSWORD);
    for (const name of DEMO_USERS) {
      const email = `${name}@relay.dev`;
      const displayName = name[0].toUpperCase() + name.slice(1);
      const inserted: unknown[] = await db.query(
        `INSERT INTO users (email, password_hash, display_name) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING id`,
        [email, passwordHash, displayName],
      );
      logger.log(`${email}: ${inserted.length > 0 ? 'created' : 'already there'}`);
    }
    logger.log(`Demo users ready; password for all: ${DEMO_PASSWORD}`);
  });
}

seed().catch((error: unknown) => {
  new Logger('Seed').error((error as Error).message);
  process.exit(1);
});
