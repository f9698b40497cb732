import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RedisService } from '@liaoliaots/nestjs-redis';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { BroadcastBus, EnvelopeHandler } from './broadcast-bus';
import { decodeEnvelope, encodeEnvelope } from './broadcast-envelope';

export const PUBLISHER = 'publisher';
export const SUBSCRIBER = 'subscriber';

/** Redis pub/sub relay: one channel every instance subscribes to. */
@Injectable()
export class RedisBroadcastBus extends BroadcastBus implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisBroadcastBus.name);
  private readonly channel: string;
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
    this.publisher = redis.getOrThrow(PUBLISHER);
    this.subscriber = redis.getOrThrow(SUBSCRIBER);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const envelope = decodeEnvelope(raw);
      if (!envelope) {
        this.logger.warn(`[${this.config.instanceId}] dropped a malformed envelope on ${channel}`);
        return;
      }
      if (envelope.origin !== this.config.instanceId) this.handler(envelope);
    });
    // ioredis resubscribes by itself after a reconnect; pub/sub has no replay, so whatever was
    // published meanwhile is gone and clients must be told to resync from Postgres.
    this.subscriber.on('ready', () => {
      if (this.everReady) {
        this.logger.warn(`[${this.config.instanceId}] Redis subscriber reconnected`);
        for (const handler of this.resubscribedHandlers) handler();
      }
      this.everReady = true;
    });
    await this.subscriber.subscribe(this.channel);
    this.everReady = true;
  }

  async publish(userIds: string[] | null, frame: string): Promise<void> {
    try {
      await this.publisher.publish(this.channel, encodeEnvelope({ origin: this.config.instanceId, userIds, frame }));
    } catch (error) {
      // The message is already committed and acked; recipients elsewhere catch up on resync.
      this.logger.error(`[${this.config.instanceId}] publish failed: ${(error as Error).message}`);
    }
  }

  async ping(): Promise<void> {
    if (this.subscriber.status !== 'ready') throw new Error(`subscriber is ${this.subscriber.status}`);
    await this.publisher.ping();
  }

  onEnvelope(handler: EnvelopeHandler): void {
    this.handler = handler;
  }

  onResubscribed(handler: () => void): void {
    this.resubscribedHandlers.push(handler);
  }
}
