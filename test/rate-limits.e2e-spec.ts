import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { createTestDatabase, REDIS_URL, uniqueChannelPrefix } from './support/services';
import { ThrowawayRedis } from './support/throwaway-redis';

interface LoginAttempt {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function attempt(instance: RelayInstance, email: string, password: string, forwardedFor?: string): Promise<LoginAttempt> {
  const response = await fetch(`${instance.httpUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code, retryAfter: response.headers.get('retry-after') };
}

async function lookup(instance: RelayInstance, token: string, email: string): Promise<LoginAttempt> {
  const response = await fetch(`${instance.httpUrl}/users?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, code: body.code, retryAfter: response.headers.get('retry-after') };
}

describe('rate limits', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const started: RelayInstance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(started.map((instance) => instance.stop()));
    await db?.drop();
  });

  async function start(env: Record<string, string>): Promise<RelayInstance> {
    const instance = await RelayInstance.start({ DATABASE_URL: db.url, ...env });
    started.push(instance);
    return instance;
  }

  it('answers the 11th attempt for one account within a minute with 429 and Retry-After, counted across instances', async () => {
    const env = { REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix() };
    const [a, b] = await Promise.all([start(env), start(env)]);
    const api = new ApiClient(a.httpUrl);
    const target = await api.newUser('target'); // one attempt of ten
    const other = await api.newUser('other');

    for (let i = 2; i <= 10; i++) {
      const result = await attempt(i % 2 === 0 ? b : a, target.email, 'wrong-password');
      expect(result.status, `attempt ${i}`).toBe(401);
    }
    const eleventh = await attempt(b, target.email, target.password);
    expect(eleventh.status).toBe(429);
    expect(eleventh.code).toBe('rate_limited');
    expect(Number(eleventh.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(eleventh.retryAfter)).toBeLessThanOrEqual(60);
    expect((await attempt(a, target.email, target.password)).status).toBe(429);

    // The limit is the account's, not the address's.
    expect((await attempt(a, other.email, other.password)).status).toBe(200);
  });

  it('limits attempts per client IP, taken from X-Forwarded-For only behind a trusted proxy', async () => {
    const prefix = uniqueChannelPrefix();
    const trusting = await start({ REDIS_URL, REDIS_CHANNEL_PREFIX: prefix, LOGIN_LIMIT_PER_IP: '3', TRUST_PROXY: 'true' });
    const email = (n: number) => `nobody-${n}@test.relay`;

    for (let n = 1; n <= 3; n++) expect((await attempt(trusting, email(n), 'x', '198.51.100.1, 203.0.113.7')).status).toBe(401);
    const blocked = await attempt(trusting, email(4), 'x', '198.51.100.2, 203.0.113.7');
    expect(blocked.status).toBe(429);
    expect(blocked.retryAfter).not.toBeNull();
    // Only the last hop (what our proxy saw) counts: a different spoofed first entry does not help,
    // a different client does.
    expect((await attempt(trusting, email(5), 'x', '203.0.113.8')).status).toBe(401);

    // Without TRUST_PROXY the header is ignored and the socket address is counted.
    const direct = await start({ REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(), LOGIN_LIMIT_PER_IP: '2' });
    expect((await attempt(direct, email(6), 'x', '192.0.2.1')).status).toBe(401);
    expect((await attempt(direct, email(7), 'x', '192.0.2.2')).status).toBe(401);
    expect((await attempt(direct, email(8), 'x', '192.0.2.3')).status).toBe(429);
  });

  it('limits email lookups per signed-in user across instances, found or not, so addresses cannot be harvested', async () => {
    const env = { REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(), USER_LOOKUP_LIMIT: '3' };
    const [a, b] = await Promise.all([start(env), start(env)]);
    const api = new ApiClient(a.httpUrl);
    const [prober, target, other] = await Promise.all([api.newUser('prober'), api.newUser('target'), api.newUser('other')]);

    expect((await lookup(a, prober.token, target.email)).status).toBe(200);
    expect((await lookup(b, prober.token, 'nobody@test.relay')).status).toBe(404);
    expect((await lookup(a, prober.token, other.email)).status).toBe(200);
    const fourth = await lookup(b, prober.token, target.email);
    expect(fourth).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(fourth.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(fourth.retryAfter)).toBeLessThanOrEqual(60);

    // The limit is the prober's alone.
    expect((await lookup(b, other.token, target.email)).status).toBe(200);
  });

  it('counts in memory without Redis', async () => {
    const single = await start({ LOGIN_LIMIT_PER_ACCOUNT: '2' });
    for (let i = 0; i < 2; i++) expect((await attempt(single, 'solo@test.relay', 'x')).status).toBe(401);
    expect((await attempt(single, 'solo@test.relay', 'x')).status).toBe(429);
  });

  it('lets logins through (fails open) while Redis is unreachable', async () => {
    const redis = await ThrowawayRedis.create();
    try {
      const instance = await start({ REDIS_URL: redis.url, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(), LOGIN_LIMIT_PER_ACCOUNT: '1' });
      const user = await new ApiClient(instance.httpUrl).newUser('open'); // uses up the limit of 1
      await redis.stop();
      expect((await attempt(instance, user.email, user.password)).status).toBe(200);
      expect((await attempt(instance, user.email, user.password)).status).toBe(200);
      expect(instance.logs).toMatch(/rate limit on login attempts skipped/);
    } finally {
      await redis.stop();
    }
  });
});
