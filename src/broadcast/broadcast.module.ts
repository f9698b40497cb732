import { DynamicModule, Logger, Module } from '@nestjs/common';
import { RedisModule } from '@liaoliaots/nestjs-redis';
import { AppConfig } from '../config/app-config';
import { BroadcastBus } from './broadcast-bus';
import { InProcessBroadcastBus } from './in-process-broadcast-bus';
import { PUBLISHER, RedisBroadcastBus, SUBSCRIBER } from './redis-broadcast-bus';

const logger = new Logger('Redis');

/** Global: the gateway's client manager and health checks use the bus. */
@Module({})
export class BroadcastModule {
  /** Redis when REDIS_URL is set, otherwise the in-process bus. */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.redisUrl) {
      return { global: true, module: BroadcastModule, providers: [{ provide: BroadcastBus, useClass: InProcessBroadcastBus }], exports: [BroadcastBus] };
    }
    const url = config.redisUrl;
    return {
      global: true,
      module: BroadcastModule,
      imports: [
        RedisModule.forRoot({
          closeClient: true,
          errorLog: false,
          commonOptions: {
            // Reconnect forever, backing off to 2 s: a Redis restart must heal by itself.
            retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
          },
          config: [
            {
              namespace: PUBLISHER,
              url,
              // Fail a publish at once while disconnected rather than queueing it: the message
              // is already durable, and a stale backlog would arrive out of order.
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              onClientCreated: (client) => client.on('error', (error: Error) => logger.warn(`publisher: ${error.message}`)),
            },
            {
              namespace: SUBSCRIBER,
              url,
              onClientCreated: (client) => client.on('error', (error: Error) => logger.warn(`subscriber: ${error.message}`)),
            },
          ],
        }),
      ],
      providers: [{ provide: BroadcastBus, useClass: RedisBroadcastBus }],
      exports: [BroadcastBus],
    };
  }
}
