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

describe(`${TokenBucket.name}.spend`, () => {
  it('spends within capacity at once, then says how long the debt takes to repay', () => {
    const bucket = new TokenBucket(10, 100, 0);
    expect(bucket.spend(4, 0)).toBe(0);
    expect(bucket.spend(6, 0)).toBe(0);
    expect(bucket.spend(50, 0)).toBe(500);
    // Half repaid after 250 ms; nothing can be taken until all of it is.
    expect(bucket.take(250)).toBe(false);
    expect(bucket.spend(0, 500)).toBe(0);
    expect(bucket.take(510)).toBe(true);
  });
});
