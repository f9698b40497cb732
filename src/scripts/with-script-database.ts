import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { buildDataSourceOptions } from '../database/typeorm-options';

/**
 * Runs `work` on the same database the server uses (DATABASE_URL, or the embedded one in
 * EMBEDDED_DATABASE_DIR, which the server must not hold at the time), migrated, and always
 * closes it afterwards. Shared by the maintenance scripts (seed, ban).
 */
export async function withScriptDatabase<T>(config: AppConfig, work: (db: DataSource) => Promise<T>): Promise<T> {
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
    return await work(db);
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}
