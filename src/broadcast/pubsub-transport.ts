import { AppConfig } from '../config/app-config';
import { encodeEnvelope } from './broadcast-envelope';
import { RedisClients } from './redis-clients';
import { lookUpInstances, routeEnvelope, scripted } from './route-script';

/**
 * The few pub/sub operations that differ between one Redis server (PUBLISH/SUBSCRIBE, routing
 * inside one Lua script) and a Redis Cluster (sharded SPUBLISH/SSUBSCRIBE). Everything else in
 * the bus is shared. Used as the injection token.
 */
export abstract class PubSubTransport {
  /** The subscriber event that carries (channel, message). */
  abstract readonly messageEvent: 'message' | 'smessage';
  /** Resolves to the number of subscribers that received it. */
  abstract publish(channel: string, message: string): Promise<number>;
  abstract subscribe(channels: string[]): Promise<void>;
  /** Sends the frame to each instance (other than origin) holding a recipient; resolves to how many. */
  abstract route(origin: string, userIds: string[], frame: string): Promise<number>;
}

/** Prefix of every instance's own channel: `<prefix>instance:<id>`. */
export function instanceChannelPrefix(config: AppConfig): string {
  return `${config.redisChannelPrefix}instance:`;
}

/** One Redis server: classic pub/sub, and routing done wholly inside Redis. */
export class ClassicPubSub extends PubSubTransport {
  readonly messageEvent = 'message';

  constructor(
    private readonly clients: RedisClients,
    private readonly config: AppConfig,
  ) {
    super();
    // Defined up front, not on first use: the publisher auto-pipelines, and a script defined
    // while a pipeline of the current turn is already built would be missing from it.
    scripted(clients.publisher);
  }

  publish(channel: string, message: string): Promise<number> {
    return this.clients.publisher.publish(channel, message);
  }

  async subscribe(channels: string[]): Promise<void> {
    await this.clients.subscriber.subscribe(...channels);
  }

  route(origin: string, userIds: string[], frame: string): Promise<number> {
    return routeEnvelope(this.clients.publisher, this.config.redisChannelPrefix, instanceChannelPrefix(this.config), origin, userIds, frame);
  }
}

/**
 * Redis Cluster: sharded pub/sub, so a message travels only within the shard that owns its
 * channel instead of being copied to every node over the cluster bus. Each channel lives in
 * the slot of its name; the subscriber client keeps one connection per shard it needs.
 */
export class ShardedPubSub extends PubSubTransport {
  readonly messageEvent = 'smessage';

  constructor(
    private readonly clients: RedisClients,
    private readonly config: AppConfig,
  ) {
    super();
    // Defined up front, not on first use: the publisher auto-pipelines, and a script defined
    // while a pipeline of the current turn is already built would be missing from it.
    scripted(clients.publisher);
  }

  async publish(channel: string, message: string): Promise<number> {
    return (await this.clients.publisher.spublish(channel, message)) as number;
  }

  /** One SSUBSCRIBE per channel: a single SSUBSCRIBE may only name channels of one slot. */
  async subscribe(channels: string[]): Promise<void> {
    await Promise.all(channels.map((channel) => this.clients.subscriber.ssubscribe(channel)));
  }

  /**
   * The lookup runs on the presence shard (presence keys share a hash tag); the publishes go to
   * each instance channel's own shard. They are issued in the continuation of the lookup's reply
   * with no await in between: replies on the presence connection come back in command order, so
   * envelopes for any one instance are issued in send order, and each instance channel always
   * maps to the same shard connection, which keeps that order to the subscriber.
   */
  async route(origin: string, userIds: string[], frame: string): Promise<number> {
    const targets = await lookUpInstances(this.clients.publisher, this.config.redisChannelPrefix, origin, userIds);
    const prefix = instanceChannelPrefix(this.config);
    await Promise.all(targets.map(([instance, ids]) => this.clients.publisher.spublish(prefix + instance, encodeEnvelope({ origin, userIds: ids, frame }))));
    return targets.length;
  }
}
