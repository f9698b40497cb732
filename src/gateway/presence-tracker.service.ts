import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { BroadcastBus } from '../broadcast/broadcast-bus';
import { PresenceStore } from '../presence/presence-store';
import { PresenceAnnouncer } from './presence-announcer.service';
import { WsClientManager } from './ws-client-manager.service';

const REAP_INTERVAL_MS = 5000;
/** Retries of a failed registration: 100, 200, 400, 800, 1600 ms apart (about 3 s in all). */
const REGISTER_RETRIES = 5;

/**
 * Turns this instance's device connects/disconnects into presence transitions: only a user's
 * first device here and last device here touch the shared store, and only a transition of the
 * user as a whole (online anywhere / offline everywhere) is announced, once, to the people who
 * share a conversation with them (by the announcer, which paces departures). Presence is best
 * effort: store failures are logged.
 */
@Injectable()
export class PresenceTracker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceTracker.name);
  private readonly localDevices = new Map<string, number>();
  /** Per-user chain, so a quick disconnect/reconnect reaches the store in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  /** Set when the app starts closing (before its sockets are closed, see deviceDisconnected). */
  private closing = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly announcer: PresenceAnnouncer,
    private readonly clients: WsClientManager,
    private readonly bus: BroadcastBus,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // After a Redis reconnect (a restart loses every entry), put this instance's users back
    // in the routing sets before telling clients to resync, so their resync cannot race a
    // message that would be routed past them.
    this.bus.onResubscribed(() => {
      // Retried: the publisher connection that writes the sets may come back a moment later.
      void this.guard('re-register', () => this.withRetries(() => this.store.heartbeat([...this.localDevices.keys()]))).then(() =>
        this.clients.resyncAll(),
      );
    });
    const heartbeatMs = (this.config.presenceTtlSeconds * 1000) / 3;
    this.timers = [
      setInterval(() => void this.guard('heartbeat', () => this.store.heartbeat([...this.localDevices.keys()])), heartbeatMs),
      setInterval(() => void this.guard('reap', () => this.reap()), Math.min(REAP_INTERVAL_MS, heartbeatMs)),
    ];
    for (const timer of this.timers) timer.unref();
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
  }

  deviceConnected(userId: string): void {
    const count = (this.localDevices.get(userId) ?? 0) + 1;
    this.localDevices.set(userId, count);
    if (count === 1) this.enqueue(userId, async () => (await this.withRetries(() => this.store.connect(userId))) && this.announcer.announce(userId, true));
  }

  /**
   * A first-device registration is what routes this user's messages here, and catch-up waits
   * for it (settled), so a transient failure is retried briefly; if Redis stays away, the
   * heartbeat and the resync after its return put the user back.
   */
  private async withRetries<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (attempt >= REGISTER_RETRIES) throw error;
        await delay(100 * 2 ** attempt);
      }
    }
  }

  deviceDisconnected(userId: string): void {
    const count = (this.localDevices.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.localDevices.set(userId, count);
      return;
    }
    this.localDevices.delete(userId);
    // A closing app closes every socket at once (1012), after its module-destroy hooks and just
    // before it closes Redis. Its users' entries are left to expire instead: most reconnect
    // elsewhere within a second and are never shown offline, and the survivors' reaper announces
    // the rest. Removing them here would race Redis's close, and any departure it did record
    // could no longer be announced (the announcer has stopped).
    if (this.closing) return;
    this.enqueue(userId, async () => (await this.store.disconnect(userId)) && this.announcer.announce(userId, false));
  }

  /**
   * Resolves once this user's first-device registration on this instance has reached the
   * shared store. Catch-up waits for it: messages routed by presence must already find this
   * instance when the backlog query runs, or one could fall between the two.
   */
  settled(userId: string): Promise<void> {
    return this.chains.get(userId) ?? Promise.resolve();
  }

  private async reap(): Promise<void> {
    for (const userId of await this.store.reapExpired()) this.announcer.announce(userId, false);
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
