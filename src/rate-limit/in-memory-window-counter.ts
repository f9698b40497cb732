import { Injectable } from '@nestjs/common';
import { WindowCount, WindowCounter } from './window-counter';

/** Past this many keys, expired windows are swept on the next hit, so the map stays bounded. */
const SWEEP_ABOVE_KEYS = 10_000;

/** Single-instance development mode: this process sees every request, so its own counts are the truth. */
@Injectable()
export class InMemoryWindowCounter extends WindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  hit(keys: string[], windowMs: number, now = Date.now()): Promise<WindowCount[]> {
    if (this.windows.size > SWEEP_ABOVE_KEYS) {
      for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    }
    return Promise.resolve(
      keys.map((key) => {
        let window = this.windows.get(key);
        if (!window || window.resetAt <= now) this.windows.set(key, (window = { count: 0, resetAt: now + windowMs }));
        window.count += 1;
        return { count: window.count, resetInMs: window.resetAt - now };
      }),
    );
  }
}
