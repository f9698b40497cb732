import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ConversationsService } from '../chat/conversations.service';
import { TokenBucket } from '../common/token-bucket';
import { AppConfig } from '../config/app-config';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { PresenceStore } from '../presence/presence-store';
import { WsClientManager } from './ws-client-manager.service';

/** Arrivals this close together are told with one contact query. */
const ARRIVALS_WINDOW_MS = 10;

/**
 * Tells a user's contacts that the user came online or went offline. Online goes out at once;
 * offline waits its turn, paced to `PRESENCE_DELIVERIES_PER_SECOND` presence frames.
 *
 * Why offline is paced: it comes in bursts. When 50 members of a 1,000-member group are cut off
 * as slow consumers in the same second, or an instance dies and its users are reaped, every
 * departure is a frame to every contact: 47,500 frames in that one example, about a second of
 * CPU that message delivery would otherwise queue behind (healthy members' p99 went from 80
 * to 600 ms). Who left can wait; who is here, and the messages, should not.
 *
 * Waiting also absorbs flapping: a device that drops and comes back while its user's offline
 * is still queued cancels it, and contacts see neither. And since another instance may see the
 * user come back meanwhile, each departure (and an arrival that had to wait for one) is checked
 * against the shared store when its turn comes, and dropped if it is no longer true.
 */
@Injectable()
export class PresenceAnnouncer implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceAnnouncer.name);
  /** Users whose departure waits to be told, in the order they left. */
  private readonly departures = new Set<string>();
  private readonly budget: TokenBucket;
  /** Announcements being sent, by user: the user's next one waits for it, so contacts see them in order. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Arrivals of the current window, told together when it ends. */
  private arrivals = new Set<string>();
  private arrivalsTold: Promise<void> | null = null;
  private draining = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly store: PresenceStore,
    private readonly conversations: ConversationsService,
    private readonly clients: WsClientManager,
    private readonly config: AppConfig,
    metrics: RelayMetrics,
  ) {
    // A tenth of a second's worth at once, so even the start of a burst is spread out.
    const perSecond = config.presenceDeliveriesPerSecond;
    this.budget = new TokenBucket(Math.max(1, perSecond / 10), perSecond);
    metrics.setPresenceBacklog(() => this.departures.size);
  }

  onModuleDestroy(): void {
    this.stopped.abort();
  }

  announce(userId: string, online: boolean): void {
    if (!online) {
      this.departures.add(userId);
      void this.drain();
      return;
    }
    // Arrivals are not paced: after a mass connect, departures would otherwise wait behind a
    // debt of minutes.
    const earlier = this.inFlight.get(userId);
    if (this.departures.delete(userId)) return; // back before anyone was told they left
    if (earlier) void this.inFlightUntil(userId, earlier.then(() => this.send(userId, true)));
    else this.arrive(userId);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.departures.size > 0 && !this.stopped.signal.aborted) {
        const [userId] = this.departures;
        const wait = this.budget.spend(0);
        const earlier = this.inFlight.get(userId);
        // The head may be cancelled during either pause, so look again after it.
        if (wait > 0) await delay(wait, undefined, { signal: this.stopped.signal });
        else if (earlier) await earlier;
        else {
          this.departures.delete(userId);
          await this.inFlightUntil(userId, this.send(userId, false));
        }
      }
    } catch {
      // Only the pause throws (send never does), when the module stops: the rest is dropped.
    } finally {
      this.draining = false;
    }
  }

  private inFlightUntil(userId: string, sending: Promise<void>): Promise<void> {
    const sent = sending.finally(() => {
      if (this.inFlight.get(userId) === sent) this.inFlight.delete(userId);
    });
    this.inFlight.set(userId, sent);
    return sent;
  }

  /**
   * Online at once, give or take ARRIVALS_WINDOW_MS: a reconnect storm is thousands of arrivals
   * a second, and one contact query per window instead of one per arrival takes about a
   * quarter off what a connect costs this instance (a Postgres round trip is mostly the
   * syscalls at both ends). No check against the store here: it said "first device" a moment ago.
   */
  private arrive(userId: string): void {
    this.arrivals.add(userId);
    this.arrivalsTold ??= delay(ARRIVALS_WINDOW_MS).then(() => this.tellArrivals());
    void this.inFlightUntil(userId, this.arrivalsTold);
  }

  private async tellArrivals(): Promise<void> {
    const users = [...this.arrivals];
    this.arrivals = new Set();
    this.arrivalsTold = null;
    if (this.stopped.signal.aborted) return;
    try {
      const contacts = await this.conversations.contactsOfEach(users);
      for (const userId of users) {
        const theirs = contacts.get(userId);
        if (theirs) this.clients.sendToSome(theirs, 'presence', { userId, online: true });
      }
    } catch (error) {
      this.logger.warn(`[${this.config.instanceId}] presence of ${users.length} arrivals not announced: ${(error as Error).message}`);
    }
  }

  /** Best effort: a failure is logged and the announcement dropped. */
  private async send(userId: string, online: boolean): Promise<void> {
    try {
      if ((await this.store.isOnline(userId)) !== online) return;
      const contacts = await this.conversations.contactsOf(userId);
      this.clients.sendToSome(contacts, 'presence', { userId, online });
      if (!online) this.budget.spend(contacts.length);
    } catch (error) {
      this.logger.warn(`[${this.config.instanceId}] presence of ${userId} not announced: ${(error as Error).message}`);
    }
  }
}
