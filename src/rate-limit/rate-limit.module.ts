import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { InMemoryWindowCounter } from './in-memory-window-counter';
import { RateLimiter } from './rate-limiter.service';
import { RedisWindowCounter } from './redis-window-counter';
import { WindowCounter } from './window-counter';

/** Global: login and user lookups both limit attempts. */
@Global()
@Module({})
export class RateLimitModule {
  /** Counted in Redis when it is configured, so every instance sees every attempt. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: WindowCounter, useClass: config.usesRedis ? RedisWindowCounter : InMemoryWindowCounter }, RateLimiter],
      exports: [RateLimiter],
    };
  }
}
