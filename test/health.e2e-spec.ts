import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { ThrowawayRedis } from './support/throwaway-redis';

interface Answer {
  status: number;
  body: any;
  ms: number;
}

/** A health probe with its own deadline: a ready check that hangs is a failure, not a wait. */
async function probe(relay: RelayInstance, path: string, timeoutMs = 8_000): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(`${relay.httpUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

/** Polls a probe until it gives the wanted status; fails with the last answer seen. */
async function until(relay: RelayInstance, path: string, status: number, timeoutMs: number): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await probe(relay, path);
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

describe('/health/live and /health/ready', () => {
  let relays: TestRelays;
  let redis: ThrowawayRedis;
  let redisPid: number | undefined;
  let relay: RelayInstance;

  beforeAll(async () => {
    redis = await ThrowawayRedis.create();
    relays = await startTestRelays({ env: { REDIS_URL: redis.url } });
    [relay] = relays.instances;
  });

  afterAll(async () => {
    resume();
    await relays?.stop();
    await redis?.stop();
  });

  /** redis-server's pid, from Redis itself: the throwaway keeps its child process private. */
  async function serverPid(): Promise<number> {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const info = await client.info('server');
      return Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    } finally {
      client.disconnect();
    }
  }

  function resume(): void {
    if (redisPid !== undefined) process.kill(redisPid, 'SIGCONT');
    redisPid = undefined;
  }

  it('answers 200 with every check ok on a healthy instance', async () => {
    const live = await probe(relay, '/health/live');
    expect(live).toMatchObject({ status: 200, body: { status: 'ok', instanceId: relay.instanceId } });
    const ready = await probe(relay, '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ok', instanceId: relay.instanceId, checks: { database: 'ok', bus: 'ok' } } });
  });

  it('fails the bus check when Redis hangs, because the probe does not come back', async () => {
    // SIGSTOP keeps every TCP connection open and "ready": only a real round trip notices.
    redisPid = await serverPid();
    expect(redisPid).toBeGreaterThan(0);
    process.kill(redisPid, 'SIGSTOP');
    try {
      const ready = await probe(relay, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', instanceId: relay.instanceId, checks: { database: 'ok' } });
      expect(ready.body.checks.bus).toMatch(/^down: probe not received/);
      expect(ready.ms).toBeLessThan(5_000);
      expect((await probe(relay, '/health/live')).status).toBe(200);
    } finally {
      resume();
    }
    await until(relay, '/health/ready', 200, 10_000);
  });

  it('turns 503 naming the bus when Redis stops, keeps live at 200, and recovers when Redis is back', async () => {
    await redis.stop();
    const down = await until(relay, '/health/ready', 503, 5_000);
    expect(down.body).toMatchObject({ status: 'unavailable', instanceId: relay.instanceId, checks: { database: 'ok' } });
    expect(down.body.checks.bus).toMatch(/^down: /);
    expect(await probe(relay, '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });

    await redis.start();
    const up = await until(relay, '/health/ready', 200, 20_000);
    expect(up.body.checks).toEqual({ database: 'ok', bus: 'ok' });
  });
});
