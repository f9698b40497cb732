import { describe, expect, it } from 'vitest';
import { InMemoryWindowCounter } from './in-memory-window-counter';
import { retryAfterSeconds } from './window-limit';

describe('retryAfterSeconds', () => {
  it('lets attempts up to the limit through', () => {
    expect(retryAfterSeconds([{ count: 10, limit: 10, resetInMs: 5000 }, { count: 1, limit: 30, resetInMs: 59_000 }])).toBeNull();
  });

  it('asks the caller to wait for the exceeded window, rounded up to whole seconds', () => {
    expect(retryAfterSeconds([{ count: 11, limit: 10, resetInMs: 4001 }, { count: 1, limit: 30, resetInMs: 59_000 }])).toBe(5);
  });

  it('waits for the latest of several exceeded windows, and at least a second', () => {
    expect(retryAfterSeconds([{ count: 11, limit: 10, resetInMs: 4000 }, { count: 31, limit: 30, resetInMs: 20_000 }])).toBe(20);
    expect(retryAfterSeconds([{ count: 11, limit: 10, resetInMs: 0 }])).toBe(1);
  });
});

describe(InMemoryWindowCounter.name, () => {
  it('counts per key within a window that starts at the first attempt, then starts over', async () => {
    const counter = new InMemoryWindowCounter();
    await counter.hit(['a'], 60_000, 1000);
    expect(await counter.hit(['a', 'b'], 60_000, 31_000)).toEqual([
      { count: 2, resetInMs: 30_000 },
      { count: 1, resetInMs: 60_000 },
    ]);
    expect(await counter.hit(['a'], 60_000, 61_000)).toEqual([{ count: 1, resetInMs: 60_000 }]);
  });
});
