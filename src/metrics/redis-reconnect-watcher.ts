import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RedisService } from '@liaoliaots/nestjs-redis';
import { PUBLISHER, SUBSCRIBER } from '../broadcast/redis-broadcast-bus';
import { RelayMetrics } from './relay-metrics.service';
import { watchReconnects } from './reconnect-watch';

/**
 * Counts reconnects of the bus's Redis clients. Looked up at bootstrap rather than injected:
 * RedisService exists only when REDIS_URL is set, and the bus itself depends on RelayMetrics.
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
    for (const namespace of [PUBLISHER, SUBSCRIBER]) {
      const client = redis.getOrNil(namespace);
      if (!client) continue;
      this.metrics.redisClientWatched(namespace);
      watchReconnects(client, () => this.metrics.redisReconnected(namespace));
    }
  }

  private redisService(): RedisService | undefined {
    try {
      return this.moduleRef.get(RedisService, { strict: false });
    } catch {
      return undefined; // in-process bus: no Redis
    }
  }
}
