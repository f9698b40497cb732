import { presenceUserKey } from '../presence/presence-keys';
import { RedisClient } from './redis-clients';

/**
 * Groups recipients by the instances that hold them, from their presence sets. KEYS: one
 * presence set per recipient; ARGV[1]: now (ms), ARGV[2]: origin instance (skipped, it
 * delivered locally); the user ids follow in KEYS order from ARGV[userArg].
 */
const groupByInstance = (userArg: number) => `
local byInstance, order = {}, {}
for i, key in ipairs(KEYS) do
  for _, instance in ipairs(redis.call('ZRANGEBYSCORE', key, ARGV[1], '+inf')) do
    if instance ~= ARGV[2] then
      if not byInstance[instance] then
        byInstance[instance] = {}
        table.insert(order, instance)
      end
      table.insert(byInstance[instance], ARGV[${userArg - 1} + i])
    end
  end
end`;

/**
 * Routes one envelope inside Redis: looks the recipients up and publishes to each instance's
 * channel an envelope carrying only its users. Lookup and publish in ONE command keep routed
 * envelopes in the order of every other command on the publisher connection (broadcasts
 * included), which a lookup followed by separate publishes would not. Returns the number of
 * instances published to. ARGV[3]: instance-channel prefix, ARGV[4]: frame, users from ARGV[5].
 */
const ROUTE = `${groupByInstance(5)}
for _, instance in ipairs(order) do
  redis.call('PUBLISH', ARGV[3] .. instance, cjson.encode({origin = ARGV[2], userIds = byInstance[instance], frame = ARGV[4]}))
end
return #order`;

/**
 * The lookup alone, for Redis Cluster: a script may only SPUBLISH to channels in the slot of its
 * keys, and instance channels live in other slots, so the caller publishes. Returns
 * [instance, JSON array of its users, ...]. Users from ARGV[3].
 */
const LOOKUP = `${groupByInstance(3)}
local out = {}
for _, instance in ipairs(order) do
  table.insert(out, instance)
  table.insert(out, cjson.encode(byInstance[instance]))
end
return out`;

type ScriptedRedis = RedisClient & {
  relayRoute(keyCount: number, ...args: (string | number)[]): Promise<number>;
  relayLookup(keyCount: number, ...args: (string | number)[]): Promise<string[]>;
};

/** Registers the scripts once per client (ioredis then runs them by EVALSHA). */
export function scripted(redis: RedisClient): ScriptedRedis {
  if (!('relayRoute' in redis)) {
    redis.defineCommand('relayRoute', { lua: ROUTE });
    redis.defineCommand('relayLookup', { lua: LOOKUP });
  }
  return redis as ScriptedRedis;
}

export function routeEnvelope(
  redis: RedisClient,
  prefix: string,
  instanceChannelPrefix: string,
  origin: string,
  userIds: string[],
  frame: string,
): Promise<number> {
  const keys = userIds.map((userId) => presenceUserKey(prefix, userId));
  return scripted(redis).relayRoute(keys.length, ...keys, Date.now(), origin, instanceChannelPrefix, frame, ...userIds);
}

/** Instance id -> its recipients, in first-seen order; the origin instance is left out. */
export async function lookUpInstances(redis: RedisClient, prefix: string, origin: string, userIds: string[]): Promise<[string, string[]][]> {
  const keys = userIds.map((userId) => presenceUserKey(prefix, userId));
  const flat = await scripted(redis).relayLookup(keys.length, ...keys, Date.now(), origin, ...userIds);
  const out: [string, string[]][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], JSON.parse(flat[i + 1]) as string[]]);
  return out;
}
