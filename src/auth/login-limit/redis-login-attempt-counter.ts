import { Injectable } from '@nestjs/common';
import { RedisService } from '@liaoliaots/nestjs-redis';
import type { Redis } from 'ioredis';
import { PUBLISHER } from '../../broadcast/redis-broadcast-bus';
import { LoginAttemptCounter, WindowCount } from './login-attempt-counter';

/**
 * KEYS: counters. ARGV: window ms. Returns {count, pttl} per key. One script, so the
 * increment and the expiry cannot come apart (a counter without expiry would lock out forever).
 */
const HIT = `
local out = {}
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  table.insert(out, count)
  table.insert(out, ttl)
end
return out`;

/** Login attempt counters shared by every instance. */
@Injectable()
export class RedisLoginAttemptCounter extends LoginAttemptCounter {
  private readonly redis: Redis;

  constructor(redis: RedisService) {
    super();
    // The publisher connection fails at once while Redis is away, so a login is not held up.
    this.redis = redis.getOrThrow(PUBLISHER);
  }

  async hit(keys: string[], windowMs: number): Promise<WindowCount[]> {
    const flat = (await this.redis.eval(HIT, keys.length, ...keys, windowMs)) as number[];
    return keys.map((_, index) => ({ count: flat[2 * index], resetInMs: flat[2 * index + 1] }));
  }
}
