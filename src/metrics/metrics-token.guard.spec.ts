import { describe, expect, it } from 'vitest';
import { bearerMatches, digest } from './metrics-token.guard';

describe(bearerMatches.name, () => {
  const expected = digest('a-metrics-token-of-some-length');

  it('accepts exactly the configured bearer token', () => {
    expect(bearerMatches('Bearer a-metrics-token-of-some-length', expected)).toBe(true);
    expect(bearerMatches('bearer a-metrics-token-of-some-length', expected)).toBe(true);
  });

  it('refuses a missing, malformed or different token', () => {
    expect(bearerMatches(undefined, expected)).toBe(false);
    expect(bearerMatches('', expected)).toBe(false);
    expect(bearerMatches('a-metrics-token-of-some-length', expected)).toBe(false);
    expect(bearerMatches('Bearer a-metrics-token-of-some-lengt', expected)).toBe(false);
    expect(bearerMatches('Basic a-metrics-token-of-some-length', expected)).toBe(false);
  });
});
