import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe(TokenBucket.name, () => {
  it('allows a burst up to capacity, then refuses', () => {
    const bucket = new TokenBucket(3, 1, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
  });

  it('refills at the given rate, never above capacity', () => {
    const bucket = new TokenBucket(2, 1, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(1500)).toBe(true);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([true, true, false]);
  });
});
