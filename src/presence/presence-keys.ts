/**
 * Where presence lives in Redis. Per user, a sorted set of the instances holding a device of
 * theirs (score = entry expiry, ms); one index of "userId|instanceId" -> expiry for reaping.
 * The relay reads the same per-user sets to route a message only to the instances that hold
 * its recipients (src/broadcast/route-script.ts).
 */
export function presenceUserKey(prefix: string, userId: string): string {
  return `${prefix}presence:${userId}`;
}

export function presenceUserKeyPrefix(prefix: string): string {
  return `${prefix}presence:`;
}

export function presenceIndexKey(prefix: string): string {
  return `${prefix}presence-expiry`;
}
