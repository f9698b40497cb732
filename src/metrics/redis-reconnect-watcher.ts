import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PUBLISHER, SUBSCRIBER } from '../broadcast/redis-broadcast-bus';
import { RedisClients } from '../broadcast/redis-clients';
import { RelayMetrics } from './relay-metrics.service';
import { watchReconnects } from './reconnect-watch';

/**
 * Counts reconnects of the bus's Redis clients. Looked up at bootstrap rather than injected:
 * RedisClients exists only when Redis is configured, and the bus itself depends on RelayMetrics.
 */
@Injectable()
export class RedisReconnectWatcher implements OnApplicationBootstrap {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: RelayMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const redis = this.redisService();
    if (!redis) return;
    for (const [namespace, client] of [
      [PUBLISHER, redis.publisher],
      [SUBSCRIBER, redis.subscriber],
    ] as const) {
      this.metrics.redisClientWatched(namespace);
      watchReconnects(client, () => this.metrics.redisReconnected(namespace));
    }
  }

  private redisService(): RedisClients | undefined {
    try {
      return this.moduleRef.get(RedisClients, { strict: false });
    } catch {
      return undefined; // in-process bus: no Redis
    }
  }
}
