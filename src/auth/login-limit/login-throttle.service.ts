import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { LoginAttemptCounter, WindowCount } from './login-attempt-counter';
import { retryAfterSeconds } from './login-limit';

const WINDOW_MS = 60_000;
/** A Redis that accepts the connection but never answers must not hold logins up. */
const COUNTER_TIMEOUT_MS = 1000;

/** Per-account and per-IP login attempt limits, counted across every instance. */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    private readonly counter: LoginAttemptCounter,
    private readonly config: AppConfig,
  ) {}

  /** Counts the attempt; throws rate_limited (details.retryAfterSeconds) once a limit is passed. */
  async check(ip: string, email: string): Promise<void> {
    const counts = await this.count([this.key('ip', ip), this.key('account', digest(email))]);
    if (!counts) return;
    const [perIp, perAccount] = counts;
    const wait = retryAfterSeconds([
      { ...perIp, limit: this.config.loginLimitPerIp },
      { ...perAccount, limit: this.config.loginLimitPerAccount },
    ]);
    if (wait !== null) {
      throw new DomainError('rate_limited', `Too many login attempts; retry in ${wait} s`, { retryAfterSeconds: wait });
    }
  }

  /** Null when the counters cannot be reached: fail open, since locking every user out is worse. */
  private async count(keys: string[]): Promise<WindowCount[] | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${COUNTER_TIMEOUT_MS} ms`)), COUNTER_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.counter.hit(keys, WINDOW_MS), timeout]);
    } catch (error) {
      this.logger.warn(`[${this.config.instanceId}] login rate limit skipped, counters unavailable: ${(error as Error).message}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private key(kind: 'ip' | 'account', id: string): string {
    return `${this.config.redisChannelPrefix}login-limit:${kind}:${id}`;
  }
}

/** Counter keys carry no email addresses. */
function digest(email: string): string {
  return createHash('sha256').update(email).digest('hex').slice(0, 32);
}
