import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SAMPLE_JWT_SECRET } from './app-config';

describe('loadConfig', () => {
  it('runs in single-instance development mode with no database or Redis configured', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, nodeEnv: 'development', databaseUrl: undefined, redisUrl: undefined });
    expect(config.isDevelopmentMode).toBe(true);
    expect(config.wsMaxPayloadBytes).toBe(16 * 1024);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it('names every bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/DATABASE_URL/);
    expect(attempt).toThrow(/JWT_SECRET/);
  });

  it('refuses the sample JWT secret in production, explicit or defaulted', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET.*sample/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SAMPLE_JWT_SECRET })).toThrow(/sample/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ALLOWED_ORIGINS: 'https://chat.example' }).nodeEnv).toBe(
      'production',
    );
  });

  it('refuses to start in production without an Origin allowlist, naming the variable', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/ALLOWED_ORIGINS: is empty/);
    expect(() => loadConfig({ ...production, ALLOWED_ORIGINS: ' , ' })).toThrow(/ALLOWED_ORIGINS/);
    expect(loadConfig({ ...production, ALLOWED_ORIGINS: 'https://chat.example' }).allowedOrigins).toEqual(['https://chat.example']);
    expect(loadConfig({ NODE_ENV: 'test' }).allowedOrigins).toEqual([]);
  });

  it('reads the WebSocket rate limit and heartbeat, with a floor on the heartbeat', () => {
    expect(loadConfig({})).toMatchObject({ wsRateBurst: 50, wsRatePerSecond: 20, heartbeatIntervalMs: 30_000 });
    expect(loadConfig({ WS_RATE_BURST: '5', WS_RATE_PER_SECOND: '0.5', HEARTBEAT_INTERVAL_MS: '1000' })).toMatchObject({
      wsRateBurst: 5,
      wsRatePerSecond: 0.5,
      heartbeatIntervalMs: 1000,
    });
    expect(() => loadConfig({ HEARTBEAT_INTERVAL_MS: '999' })).toThrow(/HEARTBEAT_INTERVAL_MS/);
    expect(() => loadConfig({ WS_RATE_PER_SECOND: '0' })).toThrow(/WS_RATE_PER_SECOND/);
  });

  it('parses the Origin allowlist', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example ,' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('reads the session settings: refresh lifetime, login limits and TRUST_PROXY', () => {
    const defaults = loadConfig({});
    expect([defaults.refreshTtlSeconds, defaults.loginLimitPerAccount, defaults.loginLimitPerIp, defaults.trustProxy]).toEqual([2_592_000, 10, 30, false]);
    const set = loadConfig({ REFRESH_TTL_SECONDS: '600', LOGIN_LIMIT_PER_ACCOUNT: '5', LOGIN_LIMIT_PER_IP: '50', TRUST_PROXY: 'true' });
    expect([set.refreshTtlSeconds, set.loginLimitPerAccount, set.loginLimitPerIp, set.trustProxy]).toEqual([600, 5, 50, true]);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ LOGIN_LIMIT_PER_IP: '0' })).toThrow(/LOGIN_LIMIT_PER_IP/);
  });

  it('refuses a pool of one connection, which the migration lock alone would take', () => {
    expect(loadConfig({ DATABASE_POOL_SIZE: '2' }).databasePoolSize).toBe(2);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('prepares statements unless DATABASE_PREPARED_STATEMENTS is false', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('reads the user lookup limit and the presence pace, refusing zero', () => {
    const defaults = loadConfig({});
    expect([defaults.userLookupLimit, defaults.presenceDeliveriesPerSecond]).toEqual([100, 5000]);
    const set = loadConfig({ USER_LOOKUP_LIMIT: '3', PRESENCE_DELIVERIES_PER_SECOND: '0.5' });
    expect([set.userLookupLimit, set.presenceDeliveriesPerSecond]).toEqual([3, 0.5]);
    expect(() => loadConfig({ USER_LOOKUP_LIMIT: '0' })).toThrow(/USER_LOOKUP_LIMIT/);
    expect(() => loadConfig({ PRESENCE_DELIVERIES_PER_SECOND: '0' })).toThrow(/PRESENCE_DELIVERIES_PER_SECOND/);
  });

  it('reads Redis Cluster nodes, which leave development mode and exclude REDIS_URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@h/db', REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(config.isDevelopmentMode).toBe(false);
    expect(loadConfig({}).redisClusterNodes).toBeUndefined();
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a' })).toThrow(/REDIS_CLUSTER_NODES.*host:port/);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:6379', REDIS_CLUSTER_NODES: 'h:7000' })).toThrow(/REDIS_CLUSTER_NODES.*not both/);
    expect(() => loadConfig({ REDIS_CHANNEL_PREFIX: 'relay{x}:' })).toThrow(/REDIS_CHANNEL_PREFIX/);
  });
});
