import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { WindowCount, WindowCounter } from './window-counter';
import { retryAfterSeconds } from './window-limit';

const WINDOW_MS = 60_000;
/** A Redis that accepts the connection but never answers must not hold requests up. */
const COUNTER_TIMEOUT_MS = 1000;

/** One per-minute limit: a counter key (without the deployment's prefix) and how many it allows. */
export interface MinuteLimit {
  key: string;
  limit: number;
}

/** Per-minute limits counted across every instance, for REST endpoints that invite guessing. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(
    private readonly counter: WindowCounter,
    private readonly config: AppConfig,
  ) {}

  /**
   * Counts one attempt against every limit; throws rate_limited (details.retryAfterSeconds)
   * once any is passed. `what` names the attempts in the error and the log ("login attempts").
   */
  async check(what: string, limits: MinuteLimit[]): Promise<void> {
    const counts = await this.count(what, limits.map((limit) => `${this.config.redisChannelPrefix}${limit.key}`));
    if (!counts) return;
    const wait = retryAfterSeconds(counts.map((count, i) => ({ ...count, limit: limits[i].limit })));
    if (wait !== null) {
      throw new DomainError('rate_limited', `Too many ${what}; retry in ${wait} s`, { retryAfterSeconds: wait });
    }
  }

  /** Null when the counters cannot be reached: fail open, since locking every user out is worse. */
  private async count(what: string, keys: string[]): Promise<WindowCount[] | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${COUNTER_TIMEOUT_MS} ms`)), COUNTER_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.counter.hit(keys, WINDOW_MS), timeout]);
    } catch (error) {
      this.logger.warn(`[${this.config.instanceId}] rate limit on ${what} skipped, counters unavailable: ${(error as Error).message}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
