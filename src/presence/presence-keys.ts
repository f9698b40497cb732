/**
 * Where presence lives in Redis. Per user, a sorted set of the instances holding a device of
 * theirs (score = entry expiry, ms); one index of "userId|instanceId" -> expiry for reaping.
 * The relay reads the same per-user sets to route a message only to the instances that hold
 * its recipients (src/broadcast/route-script.ts).
 *
 * Every key carries the hash tag `{presence}`: on a Redis Cluster they all live in one slot, so
 * the presence scripts and the route lookup, which read several of them at once, can run there.
 */
const TAG = '{presence}';

export function presenceUserKey(prefix: string, userId: string): string {
  return `${presenceUserKeyPrefix(prefix)}${userId}`;
}

export function presenceUserKeyPrefix(prefix: string): string {
  return `${prefix}${TAG}:`;
}

export function presenceIndexKey(prefix: string): string {
  return `${prefix}${TAG}-expiry`;
}
