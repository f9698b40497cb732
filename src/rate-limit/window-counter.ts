/** One fixed-window counter after an increment. */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window (and the count) resets. */
  resetInMs: number;
}

/**
 * Fixed-window counters (login attempts, user lookups), shared by every instance (Redis) or
 * kept in this process (single-instance development mode). Used as the injection token.
 */
export abstract class WindowCounter {
  /** Counts one attempt against each key; a key's window starts at its first attempt. */
  abstract hit(keys: string[], windowMs: number): Promise<WindowCount[]>;
}
