import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';
import { BroadcastBus } from '../broadcast/broadcast-bus';
import { AppConfig } from '../config/app-config';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { encodeFrame, ServerEventName, ServerEvents } from './ws-protocol';
import { RelaySocket } from './relay-socket';

/** Unsent bytes a socket may hold before it is cut off as a slow consumer. */
export const SLOW_CONSUMER_BYTES = 1024 * 1024;
/** Pre-encoded frames are still text frames; one shared options object, not one per write. */
const AS_TEXT = { binary: false } as const;

/**
 * This instance's registry of live sockets (many per user: one per device) and the one place
 * that sends to users. Every send is shaped for the hot path: the frame is serialised once,
 * the same string is written to every local socket (no per-recipient await or copy), and it
 * is published once; the bus routes it only to the instances that hold a recipient, which
 * write the same bytes to theirs.
 */
@Injectable()
export class WsClientManager implements OnModuleInit {
  private readonly logger = new Logger(WsClientManager.name);
  private readonly socketsByUser = new Map<string, Set<RelaySocket>>();

  constructor(
    private readonly bus: BroadcastBus,
    private readonly config: AppConfig,
    private readonly metrics: RelayMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.setConnectionCounter(() => this.connectionCount);
    // Other instances missed this one's envelopes while its publisher was down: their clients
    // (and ours, for symmetry) resync from Postgres.
    this.bus.onPublishRecovered(() => this.sendToAll('resync', { reason: 'relay_reconnected' }));
    this.bus.onEnvelope((envelope) => {
      if ('control' in envelope) this.closeLocal(envelope.userIds, envelope.control.code, envelope.control.reason);
      else if (envelope.userIds === null) this.writeToAll(envelope.frame);
      else this.writeToUsers(envelope.userIds, envelope.frame);
    });
  }

  register(socket: RelaySocket): void {
    let sockets = this.socketsByUser.get(socket.userId);
    if (!sockets) this.socketsByUser.set(socket.userId, (sockets = new Set()));
    sockets.add(socket);
  }

  unregister(socket: RelaySocket): void {
    const sockets = this.socketsByUser.get(socket.userId);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.socketsByUser.delete(socket.userId);
  }

  get connectionCount(): number {
    let count = 0;
    for (const sockets of this.socketsByUser.values()) count += sockets.size;
    return count;
  }

  /** Every device of one user, on every instance. */
  sendToOne<E extends ServerEventName>(userId: string, event: E, data: ServerEvents[E], exceptConnectionId?: string): void {
    this.sendToSome([userId], event, data, exceptConnectionId);
  }

  /**
   * Every device of each listed user, on every instance. `exceptConnectionId` is a socket of
   * this instance (the sender's own) and is skipped; it means nothing to other instances.
   */
  sendToSome<E extends ServerEventName>(userIds: string[], event: E, data: ServerEvents[E], exceptConnectionId?: string): void {
    const frame = encodeFrame(event, data);
    const recipients = [...new Set(userIds)];
    this.writeToUsers(recipients, frame, exceptConnectionId);
    void this.bus.publish(recipients, frame);
  }

  /** Every connected socket on every instance. */
  sendToAll<E extends ServerEventName>(event: E, data: ServerEvents[E]): void {
    const frame = encodeFrame(event, data);
    this.writeToAll(frame);
    void this.bus.publish(null, frame);
  }

  /** Tells this instance's clients that live frames may have been lost (the relay was away). */
  resyncAll(): void {
    this.writeToAll(encodeFrame('resync', { reason: 'relay_reconnected' }));
  }

  /** Directly to one socket (acks, errors): never relayed. */
  reply<E extends ServerEventName>(socket: RelaySocket, event: E, data: ServerEvents[E]): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(encodeFrame(event, data));
    this.metrics.replyWritten(event);
  }

  /** Closes every socket of the user on every instance (logout, ban). */
  disconnectUser(userId: string, code: number, reason: string): void {
    this.closeLocal([userId], code, reason);
    void this.bus.publishControl([userId], { action: 'disconnect', code, reason });
  }

  private closeLocal(userIds: string[], code: number, reason: string): void {
    for (const userId of userIds) {
      // A copy: each close unregisters its socket from the set being walked.
      for (const socket of [...this.socketsOf(userId)]) socket.close(code, reason);
    }
  }

  socketsOf(userId: string): ReadonlySet<RelaySocket> {
    return this.socketsByUser.get(userId) ?? new Set();
  }

  allSockets(): Iterable<RelaySocket> {
    const groups = this.socketsByUser.values();
    return (function* () {
      for (const sockets of groups) yield* sockets;
    })();
  }

  /**
   * The frame is UTF-8 encoded once, on the first local recipient, and the same bytes go to
   * every socket: ws would otherwise encode the string again for each recipient.
   */
  private writeToUsers(userIds: string[], frame: string, exceptConnectionId?: string): void {
    let bytes: Buffer | undefined;
    for (const userId of userIds) {
      const sockets = this.socketsByUser.get(userId);
      if (!sockets) continue;
      for (const socket of sockets) {
        if (socket.connectionId !== exceptConnectionId) this.write(socket, (bytes ??= Buffer.from(frame)));
      }
    }
  }

  private writeToAll(frame: string): void {
    const bytes = Buffer.from(frame);
    for (const socket of this.allSockets()) this.write(socket, bytes);
  }

  /**
   * The one place live frames reach a socket. A client that stops reading would make the
   * server buffer its frames without bound, so past SLOW_CONSUMER_BYTES unsent it is cut off;
   * it catches up from Postgres when it reconnects. No callback per write: this runs once per
   * recipient device, and write errors surface as the socket's 'error'/'close' anyway.
   */
  private write(socket: RelaySocket, frame: Buffer): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > SLOW_CONSUMER_BYTES) {
      this.logger.warn(`[${this.config.instanceId}] cutting off slow consumer ${socket.connectionId} (${socket.bufferedAmount} bytes unsent)`);
      socket.terminate();
      this.metrics.slowConsumerDisconnected();
      return;
    }
    socket.send(frame, AS_TEXT);
    this.metrics.liveFrameWritten(frame);
  }
}
