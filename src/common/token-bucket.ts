/**
 * A token bucket: `capacity` actions at once, refilled at `perSecond`. Time is passed in, so
 * the rule is testable without clocks.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes `count` tokens whether or not there are that many, going into debt: for pacing work
   * whose size is known only once it is done. Returns the milliseconds until the debt is
   * repaid (0 if there was none), which is how long the caller should wait before more.
   */
  spend(count: number, now = Date.now()): number {
    this.refill(now);
    this.tokens -= count;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
