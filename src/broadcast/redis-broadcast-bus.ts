import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { AppConfig } from '../config/app-config';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { BroadcastBus, EnvelopeHandler } from './broadcast-bus';
import { decodeEnvelope, encodeEnvelope, EnvelopeControl } from './broadcast-envelope';
import { instanceChannelPrefix, PubSubTransport } from './pubsub-transport';
import { RedisClient, RedisClients } from './redis-clients';

export const PUBLISHER = 'publisher';
export const SUBSCRIBER = 'subscriber';
const READY_TIMEOUT_MS = 10_000;
/** How long ping() waits for its probe to come back through the subscriber. */
const PROBE_TIMEOUT_MS = 2_000;
/**
 * Up to this many recipients, an envelope goes only to the instances that hold them (one
 * presence lookup, then one publish per instance); above it, one broadcast that every instance
 * receives is cheaper than looking up every member of a large group.
 */
export const ROUTED_MAX_RECIPIENTS = 64;

/**
 * Redis pub/sub relay. Every instance subscribes to a broadcast channel (sendToAll, large
 * groups) and to a channel of its own (messages routed to the users it holds), plus a probe
 * channel that ping() sends itself a message on. Classic or sharded pub/sub (one server or a
 * Redis Cluster) is the transport's business.
 */
@Injectable()
export class RedisBroadcastBus extends BroadcastBus implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisBroadcastBus.name);
  private readonly channel: string;
  private readonly instanceChannel: string;
  private readonly probeChannel: string;
  /** Probes in flight: token -> resolve. */
  private readonly probes = new Map<string, () => void>();
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private handler: EnvelopeHandler = () => {};
  private resubscribedHandlers: (() => void)[] = [];
  private publishRecoveredHandlers: (() => void)[] = [];
  /** Set when a publish fails; cleared when the publisher is ready again and others are told. */
  private publishesLost = false;
  private everReady = false;

  constructor(
    redis: RedisClients,
    private readonly transport: PubSubTransport,
    private readonly config: AppConfig,
    private readonly metrics: RelayMetrics,
  ) {
    super();
    this.channel = `${config.redisChannelPrefix}broadcast`;
    this.instanceChannel = this.channelOf(config.instanceId);
    this.probeChannel = `${config.redisChannelPrefix}probe:${config.instanceId}`;
    this.publisher = redis.publisher;
    this.subscriber = redis.subscriber;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber.on(this.transport.messageEvent, (channel: string, raw: string) => {
      if (channel === this.probeChannel) {
        this.probes.get(raw)?.();
        return;
      }
      if (channel !== this.channel && channel !== this.instanceChannel) return;
      const envelope = decodeEnvelope(raw);
      if (!envelope) {
        this.logger.warn(`[${this.config.instanceId}] dropped a malformed envelope on ${channel}`);
        return;
      }
      if (envelope.origin === this.config.instanceId) return;
      this.metrics.envelopeReceived(channel === this.channel ? 'broadcast' : 'instance');
      this.handler(envelope);
    });
    // Subscribe only once the connection is ready: a SUBSCRIBE racing ioredis's INFO ready
    // check puts the connection in subscriber mode, fails the check and loses the subscription.
    // After every reconnect subscribe again explicitly (a repeated SUBSCRIBE is harmless) and
    // tell clients to resync: pub/sub has no replay, so whatever was published meanwhile is gone.
    this.publisher.on('ready', () => {
      if (!this.publishesLost) return;
      this.publishesLost = false;
      this.logger.warn(`[${this.config.instanceId}] publisher back after failed publishes: asking every instance's clients to resync`);
      for (const handler of this.publishRecoveredHandlers) handler();
    });
    this.subscriber.on('ready', () => {
      void this.subscribe();
      if (this.everReady) {
        this.logger.warn(`[${this.config.instanceId}] Redis subscriber reconnected`);
        for (const handler of this.resubscribedHandlers) handler();
      }
      this.everReady = true;
    });
    // Redis Cluster only: ioredis rebuilt its per-shard subscribers (a shard restarted or moved)
    // and subscribes them again by itself; what was published to that shard meanwhile is gone.
    this.subscriber.on('subscribersReady', () => {
      if (!this.everReady) return;
      this.logger.warn(`[${this.config.instanceId}] Redis Cluster shard subscribers rebuilt`);
      for (const handler of this.resubscribedHandlers) handler();
    });
    if (this.subscriber.status === 'ready') {
      this.everReady = true;
      await this.subscribe();
    } else {
      // Hold start-up until subscribed, so no client connects to an instance that cannot hear
      // the others; if Redis stays down, start anyway and let /health/ready say so.
      await once(this.subscriber, 'ready', { signal: AbortSignal.timeout(READY_TIMEOUT_MS) }).catch(() =>
        this.logger.error(`[${this.config.instanceId}] Redis not ready after ${READY_TIMEOUT_MS} ms; starting without it`),
      );
    }
    // The publisher has no offline queue; a client connecting before it is ready could not be
    // registered for routing, so start-up waits for it too.
    if (this.publisher.status !== 'ready') {
      await once(this.publisher, 'ready', { signal: AbortSignal.timeout(READY_TIMEOUT_MS) }).catch(() => undefined);
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.transport.subscribe([this.channel, this.instanceChannel, this.probeChannel]);
    } catch (error) {
      this.logger.error(`[${this.config.instanceId}] subscribe failed: ${(error as Error).message}`);
    }
  }

  async publish(userIds: string[] | null, frame: string): Promise<void> {
    const origin = this.config.instanceId;
    try {
      if (userIds === null || userIds.length > ROUTED_MAX_RECIPIENTS) {
        await this.transport.publish(this.channel, encodeEnvelope({ origin, userIds, frame }));
        this.metrics.envelopesSent('broadcast');
        return;
      }
      const instances = await this.transport.route(origin, userIds, frame);
      this.metrics.envelopesSent('instance', instances);
    } catch (error) {
      // The message is already committed and acked; recipients elsewhere catch up on the
      // resync sent when the publisher is back (see onApplicationBootstrap).
      this.publishesLost = true;
      this.logger.error(`[${this.config.instanceId}] publish failed: ${(error as Error).message}`);
    }
  }

  /**
   * On the broadcast channel, not routed: a socket whose presence entry is not written yet must
   * still be closed, and logouts and bans are rare enough that every instance can hear them.
   */
  async publishControl(userIds: string[], control: EnvelopeControl): Promise<void> {
    try {
      await this.transport.publish(this.channel, encodeEnvelope({ origin: this.config.instanceId, userIds, control }));
      this.metrics.envelopesSent('broadcast');
    } catch (error) {
      this.logger.error(`[${this.config.instanceId}] publish of ${control.action} failed: ${(error as Error).message}`);
    }
  }

  /**
   * A round trip through Redis: publish a probe and wait for our own subscriber to receive it.
   * A connected subscriber is not enough; this proves it is subscribed and being delivered to.
   */
  async ping(): Promise<void> {
    if (this.subscriber.status !== 'ready') throw new Error(`subscriber is ${this.subscriber.status}`);
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const roundTrip = new Promise<void>((resolve, reject) => {
      this.probes.set(token, resolve);
      timer = setTimeout(() => reject(new Error(`probe not received within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    try {
      // Also under the timer: a publish to a Redis that hangs would never settle on its own.
      const receivers = await Promise.race([this.transport.publish(this.probeChannel, token), roundTrip.then(() => 1)]);
      if (receivers === 0) throw new Error('subscriber is not subscribed');
      await roundTrip;
    } finally {
      clearTimeout(timer);
      this.probes.delete(token);
    }
  }

  private channelOf(instanceId: string): string {
    return instanceChannelPrefix(this.config) + instanceId;
  }

  onEnvelope(handler: EnvelopeHandler): void {
    this.handler = handler;
  }

  onPublishRecovered(handler: () => void): void {
    this.publishRecoveredHandlers.push(handler);
  }

  onResubscribed(handler: () => void): void {
    this.resubscribedHandlers.push(handler);
  }
}
