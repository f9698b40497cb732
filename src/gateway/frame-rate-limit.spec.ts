import { describe, expect, it } from 'vitest';
import { FrameRateLimit, MAX_REFUSED_IN_A_ROW } from './frame-rate-limit';

describe(FrameRateLimit.name, () => {
  it('accepts a burst, then refuses until tokens refill', () => {
    const limit = new FrameRateLimit(3, 10, 0);
    expect([limit.check(0), limit.check(0), limit.check(0), limit.check(0)]).toEqual(['accept', 'accept', 'accept', 'refuse']);
    expect(limit.check(100)).toBe('accept');
  });

  it('asks to disconnect after too many refusals in a row', () => {
    const limit = new FrameRateLimit(1, 1, 0);
    limit.check(0);
    const verdicts = Array.from({ length: MAX_REFUSED_IN_A_ROW + 1 }, () => limit.check(0));
    expect(verdicts.slice(0, -1).every((verdict) => verdict === 'refuse')).toBe(true);
    expect(verdicts.at(-1)).toBe('disconnect');
  });

  it('forgives refusals once a frame is accepted again', () => {
    const limit = new FrameRateLimit(1, 1, 0);
    limit.check(0);
    for (let i = 0; i < MAX_REFUSED_IN_A_ROW; i++) limit.check(0);
    expect(limit.check(1000)).toBe('accept');
    expect(limit.check(1000)).toBe('refuse');
  });
});
