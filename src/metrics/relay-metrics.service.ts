import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import type { ServerEventName } from '../gateway/ws-protocol';
import { FrameCounters } from './frame-counters';

export type EnvelopeChannel = 'broadcast' | 'instance';
export type Transport = 'ws' | 'http';

/**
 * Every metric Relay exposes at /metrics, in one registry of its own labelled with this
 * instance's id. Callers report events through the methods below and never touch prom-client,
 * so metric names and labels live only here.
 */
@Injectable()
export class RelayMetrics {
  readonly registry = new Registry();
  private readonly frames = new FrameCounters();
  private connectionCounter: () => number = () => 0;
  private presenceBacklog: () => number = () => 0;
  private readonly sendAck: Histogram;
  private readonly syncEntries: Histogram;
  private readonly redisReconnects: Counter<'client'>;
  private readonly dbErrors: Counter<'transport'>;
  private readonly slowConsumers: Counter;
  private readonly envelopesReceived: Counter<'channel'>;
  private readonly envelopesPublished: Counter<'channel'>;

  constructor(config: AppConfig) {
    const registers = [this.registry];
    const frames = this.frames;
    const connections = (): number => this.connectionCounter();
    const presenceBacklog = (): number => this.presenceBacklog();
    this.registry.setDefaultLabels({ instance: config.instanceId });
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'relay_connections',
      help: 'Open WebSocket connections on this instance',
      registers,
      collect() {
        this.set(connections());
      },
    });
    new Gauge({
      name: 'relay_presence_backlog',
      help: 'Presence announcements of this instance waiting for their turn (paced by PRESENCE_DELIVERIES_PER_SECOND)',
      registers,
      collect() {
        this.set(presenceBacklog());
      },
    });
    new Counter({
      name: 'relay_frames_in_total',
      help: 'Frames received, by event ("unknown": unhandled event, "invalid": not a JSON object with a string event)',
      labelNames: ['event'],
      registers,
      collect() {
        this.reset();
        for (const [event, counter] of frames.in) this.inc({ event }, counter.value);
      },
    });
    new Counter({
      name: 'relay_frames_out_total',
      help: 'Frames written to sockets, by event (live fan-out and direct replies)',
      labelNames: ['event'],
      registers,
      collect() {
        this.reset();
        for (const [event, value] of frames.out()) this.inc({ event }, value);
      },
    });
    new Counter({
      name: 'relay_deliveries_total',
      help: 'Live message frames written to sockets (catch-up entries are counted by relay_sync_entries)',
      registers,
      collect() {
        this.reset();
        this.inc(frames.live.get('message')!.value);
      },
    });
    this.sendAck = new Histogram({
      name: 'relay_send_ack_seconds',
      help: 'Time from taking a send frame to writing its ack (validation and the Postgres commit)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.syncEntries = new Histogram({
      name: 'relay_sync_entries',
      help: 'Log entries streamed per sync (catch-up size)',
      buckets: [0, 1, 10, 50, 200, 1000, 5000, 20000, 100000],
      registers,
    });
    this.redisReconnects = new Counter({
      name: 'relay_redis_reconnects_total',
      help: 'Redis connections that became ready again after a disconnect, by client',
      labelNames: ['client'],
      registers,
    });
    this.dbErrors = new Counter({
      name: 'relay_db_errors_total',
      help: 'Requests and frames answered "unavailable" because Postgres could not be reached, by transport',
      labelNames: ['transport'],
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'relay_slow_consumer_disconnects_total',
      help: 'Sockets cut off because too many bytes to them were still unsent',
      registers,
    });
    this.envelopesReceived = new Counter({
      name: 'relay_envelopes_received_total',
      help: 'Envelopes from other instances handled, by channel (broadcast: every instance; instance: routed to this one)',
      labelNames: ['channel'],
      registers,
    });
    this.envelopesPublished = new Counter({
      name: 'relay_envelopes_published_total',
      help: 'Envelopes published to other instances, by channel (broadcast: one for all; instance: one per instance routed to)',
      labelNames: ['channel'],
      registers,
    });
    // Zero-valued series from the start, so rate() and absent() behave before the first event.
    for (const transport of ['ws', 'http']) this.dbErrors.inc({ transport }, 0);
    for (const channel of ['broadcast', 'instance']) {
      this.envelopesReceived.inc({ channel }, 0);
      this.envelopesPublished.inc({ channel }, 0);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format, for the /metrics controller. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** The gateway registers how to count its sockets; read at each scrape. */
  setConnectionCounter(count: () => number): void {
    this.connectionCounter = count;
  }

  /** The presence announcer registers how to count its queue; read at each scrape. */
  setPresenceBacklog(count: () => number): void {
    this.presenceBacklog = count;
  }

  /** `event` must be a handled event name, or one of frame-counters' UNKNOWN / INVALID. */
  frameReceived(event: string): void {
    this.frames.received(event);
  }

  /** Hot path: once per socket write of a fan-out frame (pass the same string or Buffer to every socket). */
  liveFrameWritten(frame: string | Buffer): void {
    this.frames.liveWritten(frame);
  }

  replyWritten(event: ServerEventName): void {
    this.frames.replyWritten(event);
  }

  /** `startedAt` is a performance.now() reading taken when the send frame was picked up. */
  sendAcked(startedAt: number): void {
    this.sendAck.observe((performance.now() - startedAt) / 1000);
  }

  syncStreamed(entries: number): void {
    this.syncEntries.observe(entries);
  }

  /** Starts the client's series at zero. */
  redisClientWatched(client: string): void {
    this.redisReconnects.inc({ client }, 0);
  }

  redisReconnected(client: string): void {
    this.redisReconnects.inc({ client });
  }

  databaseUnavailable(transport: Transport): void {
    this.dbErrors.inc({ transport });
  }

  slowConsumerDisconnected(): void {
    this.slowConsumers.inc();
  }

  envelopeReceived(channel: EnvelopeChannel): void {
    this.envelopesReceived.inc({ channel });
  }

  envelopesSent(channel: EnvelopeChannel, count = 1): void {
    this.envelopesPublished.inc({ channel }, count);
  }
}
