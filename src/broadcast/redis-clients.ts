import type { Cluster, Redis } from 'ioredis';

/** One Redis server or a Redis Cluster: both speak every command Relay sends. */
export type RedisClient = Redis | Cluster;

/**
 * The bus's two connections, which presence and the login counters share. The publisher fails
 * fast while Redis is away; the subscriber only listens. Used as the injection token, so that
 * nothing outside the broadcast module needs to know which kind of Redis is configured.
 */
export abstract class RedisClients {
  abstract readonly publisher: RedisClient;
  abstract readonly subscriber: RedisClient;
}
