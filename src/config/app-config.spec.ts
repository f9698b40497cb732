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
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).nodeEnv).toBe('production');
  });

  it('parses the Origin allowlist', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example ,' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
