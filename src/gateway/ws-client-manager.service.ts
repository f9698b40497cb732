import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';
import { BroadcastBus } from '../broadcast/broadcast-bus';
import { AppConfig } from '../config/app-config';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { encodeFrame, ServerEventName, ServerEvents } from './ws-protocol';
import { RelaySocket } from './relay-socket';
import { wsTextFrame } from './ws-text-frame';

/** Unsent bytes a socket may hold before it is cut off as a slow consumer. */
export const SLOW_CONSUMER_BYTES = 1024 * 1024;

/**
 * This instance's registry of live sockets (many per user: one per device) and the one place
 * that sends to users. Every send is shaped for the hot path: the frame is serialised once,
 * framed once as a complete WebSocket frame, the same bytes are written to every local socket
 * (no per-recipient await, copy or header), and it is published once; the bus routes it only
 * to the instances that hold a recipient, which frame it once and write it to theirs.
 */
@Injectable()
export class WsClientManager implements OnModuleInit {
  private readonly logger = new Logger(WsClientManager.name);
  private readonly socketsByUser = new Map<string, Set<RelaySocket>>();
  /** Numbers the ticks that write (see coalesce); sockets given a second frame in this one are corked. */
  private tick = 1;
  private tickEndScheduled = false;
  private corked = new Set<RelaySocket>();

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
  sendToSome<E extends ServerEventName>(userIds: readonly string[], event: E, data: ServerEvents[E], exceptConnectionId?: string): void {
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
    this.coalesce(socket);
    socket.transport.write(wsTextFrame(encodeFrame(event, data)));
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
   * The frame is encoded and framed once, on the first local recipient, and the same bytes go
   * to every socket: ws would otherwise encode the string and build a header for each one.
   */
  private writeToUsers(userIds: string[], frame: string, exceptConnectionId?: string): void {
    let wire: Buffer | undefined;
    for (const userId of userIds) {
      const sockets = this.socketsByUser.get(userId);
      if (!sockets) continue;
      for (const socket of sockets) {
        if (socket.connectionId !== exceptConnectionId) this.write(socket, (wire ??= wsTextFrame(frame)), frame);
      }
    }
  }

  private writeToAll(frame: string): void {
    const wire = wsTextFrame(frame);
    for (const socket of this.allSockets()) this.write(socket, wire, frame);
  }

  /**
   * The one place live frames reach a socket. A client that stops reading would make the
   * server buffer its frames without bound, so past SLOW_CONSUMER_BYTES unsent it is cut off;
   * it catches up from Postgres when it reconnects. No callback per write: this runs once per
   * recipient device, and write errors surface as the socket's 'error'/'close' anyway.
   * The cut-off is checked on a socket's first frame of the tick: later ones may sit corked
   * (see coalesce), and bufferedAmount would count them before the kernel was offered them.
   * `wire` is the whole WebSocket frame (wsTextFrame), written straight to the TCP socket: one
   * write of one buffer. ws's bufferedAmount counts what waits there too.
   */
  private write(socket: RelaySocket, wire: Buffer, frame: string): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.lastWriteTick !== this.tick && socket.bufferedAmount > SLOW_CONSUMER_BYTES) {
      this.logger.warn(`[${this.config.instanceId}] cutting off slow consumer ${socket.connectionId} (${socket.bufferedAmount} bytes unsent)`);
      socket.terminate();
      this.metrics.slowConsumerDisconnected();
      return;
    }
    this.coalesce(socket);
    socket.transport.write(wire);
    this.metrics.liveFrameWritten(frame);
  }

  /**
   * Runs before each frame to a socket. Each frame is its own write syscall, and a loopback
   * write costs 10-40 µs on hosts like ours (the kernel does the receiver's TCP work in the
   * sender's context), so frames that reach one socket in the same tick (a Redis backlog read
   * at once, a catch-up page, acks of one commit) should leave as one writev. The first frame
   * of a tick still goes out at once: corking it too would hold every frame of a fan-out until
   * all of them are framed (about 1 ms per 500 recipients; +2 ms ack and delivery p50 in the
   * fanout bench), and one frame per socket per tick, the common case, then costs one number
   * compared. From the second frame on, the socket's TCP stream stays corked until
   * process.nextTick (no wait for other I/O), so frames keep their order. Node's cork is a
   * counter, so ws's own cork around its frames (pings, closes) nests inside ours; uncorking a socket closed
   * or destroyed meanwhile is harmless, and a close frame (shutdown's 1012) leaves with the rest.
   */
  private coalesce(socket: RelaySocket): void {
    if (socket.lastWriteTick !== this.tick) {
      socket.lastWriteTick = this.tick;
      if (!this.tickEndScheduled) {
        this.tickEndScheduled = true;
        process.nextTick(this.endTick);
      }
    } else if (!this.corked.has(socket)) {
      socket.transport.cork();
      this.corked.add(socket);
    }
  }

  private readonly endTick = (): void => {
    // Moved on first: a frame written while uncorking belongs to the next tick.
    this.tick += 1;
    this.tickEndScheduled = false;
    if (this.corked.size === 0) return;
    const corked = this.corked;
    this.corked = new Set();
    for (const socket of corked) socket.transport.uncork();
  };
}
