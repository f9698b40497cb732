import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConversationsService } from '../chat/conversations.service';
import { AppConfig } from '../config/app-config';
import { PresenceStore } from '../presence/presence-store';
import { WsClientManager } from './ws-client-manager.service';

const REAP_INTERVAL_MS = 5000;

/**
 * Turns this instance's device connects/disconnects into presence transitions: only a user's
 * first device here and last device here touch the shared store, and only a transition of the
 * user as a whole (online anywhere / offline everywhere) is announced, once, to the people who
 * share a conversation with them. Presence is best effort: store failures are logged.
 */
@Injectable()
export class PresenceTracker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceTracker.name);
  private readonly localDevices = new Map<string, number>();
  /** Per-user chain, so a quick disconnect/reconnect reaches the store in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: PresenceStore,
    private readonly conversations: ConversationsService,
    private readonly clients: WsClientManager,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const heartbeatMs = (this.config.presenceTtlSeconds * 1000) / 3;
    this.timers = [
      setInterval(() => void this.guard('heartbeat', () => this.store.heartbeat([...this.localDevices.keys()])), heartbeatMs),
      setInterval(() => void this.guard('reap', () => this.reap()), Math.min(REAP_INTERVAL_MS, heartbeatMs)),
    ];
    for (const timer of this.timers) timer.unref();
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  deviceConnected(userId: string): void {
    const count = (this.localDevices.get(userId) ?? 0) + 1;
    this.localDevices.set(userId, count);
    if (count === 1) this.enqueue(userId, async () => (await this.store.connect(userId)) && this.announce(userId, true));
  }

  deviceDisconnected(userId: string): void {
    const count = (this.localDevices.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.localDevices.set(userId, count);
      return;
    }
    this.localDevices.delete(userId);
    this.enqueue(userId, async () => (await this.store.disconnect(userId)) && this.announce(userId, false));
  }

  private async reap(): Promise<void> {
    for (const userId of await this.store.reapExpired()) await this.announce(userId, false);
  }

  private async announce(userId: string, online: boolean): Promise<void> {
    const contacts = await this.conversations.contactsOf(userId);
    this.clients.sendToSome(contacts, 'presence', { userId, online });
  }

  private enqueue(userId: string, step: () => Promise<unknown>): void {
    const next = (this.chains.get(userId) ?? Promise.resolve()).then(() => this.guard(`presence of ${userId}`, step));
    this.chains.set(userId, next);
    void next.then(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
  }

  private async guard(what: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.logger.warn(`[${this.config.instanceId}] ${what} failed: ${(error as Error).message}`);
    }
  }
}
