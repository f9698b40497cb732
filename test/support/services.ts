import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';

/** The shared services every machine runs (see README); scripts/ensure-services.sh starts them if they are down. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** A fresh database on the shared Postgres, so each test file runs on its own data. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `relay_test_${uniqueSuffix()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Prefixes handed out in this test file; redis-key-cleanup.ts deletes their keys when it ends. */
const issuedPrefixes = new Set<string>();

/** A channel prefix of its own, so instances of different test files never hear each other. */
export function uniqueChannelPrefix(): string {
  const prefix = `relay_test_${uniqueSuffix()}:`;
  issuedPrefixes.add(prefix);
  return prefix;
}

export function issuedChannelPrefixes(): ReadonlySet<string> {
  return issuedPrefixes;
}

/**
 * Deletes a test's keys from the shared Redis once its instances have stopped. A stopping
 * instance leaves its users' presence entries for the others to expire, and no instance of this
 * prefix runs again, so the keys would otherwise stay for good.
 */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
