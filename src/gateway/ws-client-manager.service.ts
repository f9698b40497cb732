import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';
import { BroadcastBus } from '../broadcast/broadcast-bus';
import { AppConfig } from '../config/app-config';
import { encodeFrame, ServerEventName, ServerEvents } from './ws-protocol';
import { RelaySocket } from './relay-socket';

/**
 * This instance's registry of live sockets (many per user: one per device) and the one place
 * that sends to users. Every send serialises the frame once, writes it to the local sockets,
 * and publishes it once so other instances write the same bytes to theirs.
 */
@Injectable()
export class WsClientManager implements OnModuleInit {
  private readonly logger = new Logger(WsClientManager.name);
  private readonly socketsByUser = new Map<string, Set<RelaySocket>>();

  constructor(
    private readonly bus: BroadcastBus,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.onEnvelope((envelope) => {
      if (envelope.userIds === null) this.writeToAll(envelope.frame);
      else this.writeToUsers(envelope.userIds, envelope.frame);
    });
    // Envelopes published while this instance's subscriber was away are lost for good.
    this.bus.onResubscribed(() => this.writeToAll(encodeFrame('resync', { reason: 'relay_reconnected' })));
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

  /** Directly to one socket (acks, errors): never relayed. */
  reply<E extends ServerEventName>(socket: RelaySocket, event: E, data: ServerEvents[E]): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame(event, data));
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

  private writeToUsers(userIds: string[], frame: string, exceptConnectionId?: string): void {
    for (const userId of userIds) {
      const sockets = this.socketsByUser.get(userId);
      if (!sockets) continue;
      for (const socket of sockets) {
        if (socket.connectionId !== exceptConnectionId) this.write(socket, frame);
      }
    }
  }

  private writeToAll(frame: string): void {
    for (const socket of this.allSockets()) this.write(socket, frame);
  }

  private write(socket: RelaySocket, frame: string): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(frame, (error) => {
      if (error) this.logger.debug(`[${this.config.instanceId}] write to ${socket.connectionId} failed: ${error.message}`);
    });
  }
}
