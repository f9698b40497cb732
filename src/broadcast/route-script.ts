import type { Redis } from 'ioredis';
import { presenceUserKey } from '../presence/presence-keys';

/**
 * Routes one envelope inside Redis: reads the recipients' presence sets (the instances that
 * hold a device of each) and publishes to each such instance's channel an envelope carrying
 * only its users. Doing lookup and publish in ONE command keeps routed envelopes in the order
 * of every other command on the publisher connection (broadcasts included), which a lookup
 * followed by separate publishes would not. Returns the number of instances published to.
 *
 * KEYS: one presence set per recipient. ARGV: now (ms), origin instance, instance-channel
 * prefix, frame, then the recipient user ids in KEYS order.
 */
const ROUTE = `
local byInstance, order = {}, {}
for i, key in ipairs(KEYS) do
  for _, instance in ipairs(redis.call('ZRANGEBYSCORE', key, ARGV[1], '+inf')) do
    if instance ~= ARGV[2] then
      if not byInstance[instance] then
        byInstance[instance] = {}
        table.insert(order, instance)
      end
      table.insert(byInstance[instance], ARGV[4 + i])
    end
  end
end
for _, instance in ipairs(order) do
  redis.call('PUBLISH', ARGV[3] .. instance, cjson.encode({origin = ARGV[2], userIds = byInstance[instance], frame = ARGV[4]}))
end
return #order`;

type RoutingRedis = Redis & {
  relayRoute(keyCount: number, ...args: (string | number)[]): Promise<number>;
};

/** Registers the script once per connection (ioredis then runs it by EVALSHA). */
export function withRouteScript(redis: Redis): RoutingRedis {
  if (!('relayRoute' in redis)) redis.defineCommand('relayRoute', { lua: ROUTE });
  return redis as RoutingRedis;
}

export function routeEnvelope(
  redis: RoutingRedis,
  prefix: string,
  instanceChannelPrefix: string,
  origin: string,
  userIds: string[],
  frame: string,
): Promise<number> {
  const keys = userIds.map((userId) => presenceUserKey(prefix, userId));
  return redis.relayRoute(keys.length, ...keys, Date.now(), origin, instanceChannelPrefix, frame, ...userIds);
}
