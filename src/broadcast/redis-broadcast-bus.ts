import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RedisService } from '@liaoliaots/nestjs-redis';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { AppConfig } from '../config/app-config';
import { BroadcastBus, EnvelopeHandler } from './broadcast-bus';
import { decodeEnvelope, encodeEnvelope } from './broadcast-envelope';

export const PUBLISHER = 'publisher';
export const SUBSCRIBER = 'subscriber';
const READY_TIMEOUT_MS = 10_000;
/** How long ping() waits for its probe to come back through the subscriber. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Redis pub/sub relay: one channel every instance subscribes to, plus a probe channel of this
 * instance's own that ping() sends itself a message on.
 */
@Injectable()
export class RedisBroadcastBus extends BroadcastBus implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisBroadcastBus.name);
  private readonly channel: string;
  private readonly probeChannel: string;
  /** Probes in flight: token -> resolve. */
  private readonly probes = new Map<string, () => void>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private handler: EnvelopeHandler = () => {};
  private resubscribedHandlers: (() => void)[] = [];
  private everReady = false;

  constructor(
    redis: RedisService,
    private readonly config: AppConfig,
  ) {
    super();
    this.channel = `${config.redisChannelPrefix}broadcast`;
    this.probeChannel = `${config.redisChannelPrefix}probe:${config.instanceId}`;
    this.publisher = redis.getOrThrow(PUBLISHER);
    this.subscriber = redis.getOrThrow(SUBSCRIBER);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.probeChannel) {
        this.probes.get(raw)?.();
        return;
      }
      if (channel !== this.channel) return;
      const envelope = decodeEnvelope(raw);
      if (!envelope) {
        this.logger.warn(`[${this.config.instanceId}] dropped a malformed envelope on ${channel}`);
        return;
      }
      if (envelope.origin !== this.config.instanceId) this.handler(envelope);
    });
    // Subscribe only once the connection is ready: a SUBSCRIBE racing ioredis's INFO ready
    // check puts the connection in subscriber mode, fails the check and loses the subscription.
    // After every reconnect subscribe again explicitly (a repeated SUBSCRIBE is harmless) and
    // tell clients to resync: pub/sub has no replay, so whatever was published meanwhile is gone.
    this.subscriber.on('ready', () => {
      void this.subscribe();
      if (this.everReady) {
        this.logger.warn(`[${this.config.instanceId}] Redis subscriber reconnected`);
        for (const handler of this.resubscribedHandlers) handler();
      }
      this.everReady = true;
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
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel, this.probeChannel);
    } catch (error) {
      this.logger.error(`[${this.config.instanceId}] subscribe failed: ${(error as Error).message}`);
    }
  }

  async publish(userIds: string[] | null, frame: string): Promise<void> {
    try {
      await this.publisher.publish(this.channel, encodeEnvelope({ origin: this.config.instanceId, userIds, frame }));
    } catch (error) {
      // The message is already committed and acked; recipients elsewhere catch up on resync.
      this.logger.error(`[${this.config.instanceId}] publish failed: ${(error as Error).message}`);
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
      const receivers = await Promise.race([this.publisher.publish(this.probeChannel, token), roundTrip.then(() => 1)]);
      if (receivers === 0) throw new Error('subscriber is not subscribed');
      await roundTrip;
    } finally {
      clearTimeout(timer);
      this.probes.delete(token);
    }
  }

  onEnvelope(handler: EnvelopeHandler): void {
    this.handler = handler;
  }

  onResubscribed(handler: () => void): void {
    this.resubscribedHandlers.push(handler);
  }
}
