import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { createTestDatabase, REDIS_URL, uniqueChannelPrefix } from './support/services';

const run = promisify(execFile);
const SEED = join(__dirname, '..', 'dist', 'scripts', 'seed.js');

describe('npm run seed', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('creates the demo users once, however often it runs, and they can log in', async () => {
    const env = { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'log' };
    const first = await run(process.execPath, [SEED], { env });
    const second = await run(process.execPath, [SEED], { env });
    expect(first.stdout + first.stderr).toMatch(/alice@relay\.dev: created/);
    expect(second.stdout + second.stderr).toMatch(/alice@relay\.dev: already there/);

    const relay = await RelayInstance.start({ DATABASE_URL: db.url, REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix() });
    try {
      const api = new ApiClient(relay.httpUrl);
      for (const name of ['alice', 'bob', 'carol', 'dave']) {
        const login = await api.request('POST', '/auth/login', { email: `${name}@relay.dev`, password: 'relay-demo-password' });
        expect(login.status).toBe(200);
      }
    } finally {
      await relay.stop();
    }
  });
});
