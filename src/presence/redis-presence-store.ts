import { Injectable } from '@nestjs/common';
import { RedisClient, RedisClients } from '../broadcast/redis-clients';
import { AppConfig } from '../config/app-config';
import { PresenceStore } from './presence-store';
import { CONNECT, DISCONNECT, HEARTBEAT, REAP } from './redis-presence-scripts';
import { presenceIndexKey, presenceUserKey, presenceUserKeyPrefix } from './presence-keys';

const REAP_BATCH = 500;
/** Users renewed per heartbeat command: about a millisecond of Redis time each. */
const HEARTBEAT_CHUNK = 1000;

/** Presence shared by all instances through Redis; entries of a crashed instance expire after the TTL. */
@Injectable()
export class RedisPresenceStore extends PresenceStore {
  private readonly redis: RedisClient;
  private readonly userKeyPrefix: string;
  private readonly indexKey: string;
  private readonly ttlMs: number;

  constructor(
    redis: RedisClients,
    private readonly config: AppConfig,
  ) {
    super();
    // The publisher connection fails fast while Redis is away: presence is best effort.
    this.redis = redis.publisher;
    this.userKeyPrefix = presenceUserKeyPrefix(config.redisChannelPrefix);
    this.indexKey = presenceIndexKey(config.redisChannelPrefix);
    this.ttlMs = config.presenceTtlSeconds * 1000;
  }

  async connect(userId: string): Promise<boolean> {
    const now = Date.now();
    const before = await this.redis.eval(CONNECT, 2, this.userKey(userId), this.indexKey, this.instance, now + this.ttlMs, now, this.member(userId));
    return before === 0;
  }

  async disconnect(userId: string): Promise<boolean> {
    const remaining = await this.redis.eval(DISCONNECT, 2, this.userKey(userId), this.indexKey, this.instance, Date.now(), this.member(userId));
    return remaining === 0;
  }

  async heartbeat(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const expiresAt = Date.now() + this.ttlMs;
    // In chunks, so no single script holds Redis for long. On a cluster every presence key
    // shares one slot, so the script's undeclared user keys live where its declared key does.
    for (let start = 0; start < userIds.length; start += HEARTBEAT_CHUNK) {
      const chunk = userIds.slice(start, start + HEARTBEAT_CHUNK);
      await this.redis.eval(HEARTBEAT, 1, this.indexKey, expiresAt, this.instance, this.userKeyPrefix, ...chunk);
    }
  }

  async reapExpired(): Promise<string[]> {
    return (await this.redis.eval(REAP, 1, this.indexKey, Date.now(), this.userKeyPrefix, REAP_BATCH)) as string[];
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await this.redis.zcount(this.userKey(userId), Date.now(), '+inf')) > 0;
  }

  private get instance(): string {
    return this.config.instanceId;
  }

  private userKey(userId: string): string {
    return presenceUserKey(this.config.redisChannelPrefix, userId);
  }

  private member(userId: string): string {
    return `${userId}|${this.instance}`;
  }
}
