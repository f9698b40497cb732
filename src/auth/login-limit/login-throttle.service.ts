import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { RateLimiter } from '../../rate-limit/rate-limiter.service';

/** Per-account and per-IP login attempt limits, counted across every instance. */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  /** Counts the attempt; throws rate_limited (details.retryAfterSeconds) once a limit is passed. */
  check(ip: string, email: string): Promise<void> {
    return this.limiter.check('login attempts', [
      { key: `login-limit:ip:${ip}`, limit: this.config.loginLimitPerIp },
      // Counter keys carry no email addresses.
      { key: `login-limit:account:${digest(email)}`, limit: this.config.loginLimitPerAccount },
    ]);
  }
}

function digest(email: string): string {
  return createHash('sha256').update(email).digest('hex').slice(0, 32);
}
