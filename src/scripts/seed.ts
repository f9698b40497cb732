import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher.service';
import { loadConfig } from '../config/app-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { buildDataSourceOptions } from '../database/typeorm-options';

/** Demo accounts for trying Relay out; documented in the README. */
export const DEMO_PASSWORD = 'relay-demo-password';
const DEMO_USERS = ['alice', 'bob', 'carol', 'dave'];

/** Creates the demo users if they are missing (idempotent), on the same database the server uses. */
async function seed(): Promise<void> {
  const logger = new Logger('Seed');
  const config = loadConfig();
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.embeddedDatabaseDir);
  const db = new DataSource(
    buildDataSourceOptions({
      url: embedded?.url ?? config.databaseUrl!,
      poolSize: 1,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      statementTimeoutMs: 60_000,
    }),
  );
  try {
    await db.initialize();
    await db.runMigrations();
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
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}

seed().catch((error: unknown) => {
  new Logger('Seed').error((error as Error).message);
  process.exit(1);
});
