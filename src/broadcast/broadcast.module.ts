import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { ClusterModule, ClusterService, RedisModule, RedisService } from '@liaoliaots/nestjs-redis';
import { AppConfig } from '../config/app-config';
import { BroadcastBus } from './broadcast-bus';
import { InProcessBroadcastBus } from './in-process-broadcast-bus';
import { ClassicPubSub, PubSubTransport, ShardedPubSub } from './pubsub-transport';
import { RedisClients } from './redis-clients';
import { PUBLISHER, RedisBroadcastBus, SUBSCRIBER } from './redis-broadcast-bus';

const logger = new Logger('Redis');

/** Reconnect forever, backing off to 2 s: a Redis restart must heal by itself. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2000);

const logErrors = (name: string) => (client: { on(event: 'error', listener: (error: Error) => void): unknown }) =>
  client.on('error', (error: Error) => logger.warn(`${name}: ${error.message}`));

/** Global: the gateway's client manager and health checks use the bus; presence and login limits the clients. */
@Module({})
export class BroadcastModule {
  /** A Redis Cluster when REDIS_CLUSTER_NODES is set, one Redis server for REDIS_URL, otherwise the in-process bus. */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.usesRedis) {
      return { global: true, module: BroadcastModule, providers: [{ provide: BroadcastBus, useClass: InProcessBroadcastBus }], exports: [BroadcastBus] };
    }
    const [imports, clients, transport] = config.redisClusterNodes ? clusterClients(config.redisClusterNodes) : serverClients(config.redisUrl!);
    return {
      global: true,
      module: BroadcastModule,
      imports: [imports],
      providers: [
        clients,
        { provide: PubSubTransport, useFactory: (redis: RedisClients) => new transport(redis, config), inject: [RedisClients] },
        { provide: BroadcastBus, useClass: RedisBroadcastBus },
      ],
      exports: [BroadcastBus, RedisClients],
    };
  }
}

type Wiring = [DynamicModule, Provider, typeof ClassicPubSub | typeof ShardedPubSub];

function serverClients(url: string): Wiring {
  const module = RedisModule.forRoot({
    closeClient: true,
    errorLog: false,
    commonOptions: { retryStrategy },
    config: [
      {
        namespace: PUBLISHER,
        url,
        // Fail a publish at once while disconnected rather than queueing it: the message
        // is already durable, and a stale backlog would arrive out of order.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Commands issued in one turn of the event loop (a committed batch's envelopes and
        // routes, presence updates) leave as one write, in call order: one socket write per
        // message was the costliest part of a send's relay (docs/PERFORMANCE.md).
        enableAutoPipelining: true,
        onClientCreated: logErrors('publisher'),
      },
      { namespace: SUBSCRIBER, url, onClientCreated: logErrors('subscriber') },
    ],
  });
  const clients: Provider = {
    provide: RedisClients,
    useFactory: (redis: RedisService): RedisClients => ({ publisher: redis.getOrThrow(PUBLISHER), subscriber: redis.getOrThrow(SUBSCRIBER) }),
    inject: [RedisService],
  };
  return [module, clients, ClassicPubSub];
}

function clusterClients(nodes: { host: string; port: number }[]): Wiring {
  const module = ClusterModule.forRoot({
    closeClient: true,
    errorLog: false,
    config: [
      {
        namespace: PUBLISHER,
        nodes,
        clusterRetryStrategy: retryStrategy,
        // As for one server: no queue while the cluster is down (node connections still queue
        // while they first connect, which ioredis needs).
        enableOfflineQueue: false,
        redisOptions: { maxRetriesPerRequest: 1 },
        onClientCreated: logErrors('publisher'),
      },
      {
        namespace: SUBSCRIBER,
        nodes,
        clusterRetryStrategy: retryStrategy,
        // One subscriber connection per shard, so SSUBSCRIBE reaches the node that owns each channel.
        shardedSubscribers: true,
        onClientCreated: logErrors('subscriber'),
      },
    ],
  });
  const clients: Provider = {
    provide: RedisClients,
    useFactory: (cluster: ClusterService): RedisClients => ({ publisher: cluster.getOrThrow(PUBLISHER), subscriber: cluster.getOrThrow(SUBSCRIBER) }),
    inject: [ClusterService],
  };
  return [module, clients, ShardedPubSub];
}
