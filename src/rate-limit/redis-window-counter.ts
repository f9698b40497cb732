import { Injectable } from '@nestjs/common';
import { RedisClient, RedisClients } from '../broadcast/redis-clients';
import { WindowCount, WindowCounter } from './window-counter';

/**
 * KEYS: one counter. ARGV: window ms. Returns {count, pttl}. One script, so the increment and
 * the expiry cannot come apart (a counter without expiry would lock out forever). One key per
 * script, so on a Redis Cluster each counter is counted in its own slot.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/** Counters shared by every instance. */
@Injectable()
export class RedisWindowCounter extends WindowCounter {
  private readonly redis: RedisClient;

  constructor(redis: RedisClients) {
    super();
    // The publisher connection fails at once while Redis is away, so a request is not held up.
    this.redis = redis.publisher;
  }

  hit(keys: string[], windowMs: number): Promise<WindowCount[]> {
    return Promise.all(
      keys.map(async (key) => {
        const [count, resetInMs] = (await this.redis.eval(HIT, 1, key, windowMs)) as [number, number];
        return { count, resetInMs };
      }),
    );
  }
}
