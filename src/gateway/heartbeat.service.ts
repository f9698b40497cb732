import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';
import { AppConfig } from '../config/app-config';
import { RelaySocket } from './relay-socket';

/** Pings a socket may leave unanswered; at the next beat after that it is terminated. */
const MAX_UNANSWERED_PINGS = 2;

/**
 * Finds dead peers (a phone that lost its network never sends a close) so their sockets,
 * presence and buffers are released. One timer for the whole instance pings every socket,
 * instead of one timer per socket.
 */
@Injectable()
export class HeartbeatService implements OnModuleInit, OnModuleDestroy {
  /** Socket -> pings sent since its last pong. */
  private readonly unanswered = new Map<RelaySocket, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.beat(), this.config.heartbeatIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  track(socket: RelaySocket): void {
    this.unanswered.set(socket, 0);
    socket.on('pong', () => {
      if (this.unanswered.has(socket)) this.unanswered.set(socket, 0);
    });
  }

  untrack(socket: RelaySocket): void {
    this.unanswered.delete(socket);
  }

  /** Terminates sockets that missed too many pongs in a row, and pings the rest. */
  beat(): void {
    for (const [socket, count] of this.unanswered) {
      if (count >= MAX_UNANSWERED_PINGS) {
        // No close handshake: a peer that does not answer pings will not answer a close frame.
        this.unanswered.delete(socket);
        socket.terminate();
      } else if (socket.readyState === WebSocket.OPEN) {
        this.unanswered.set(socket, count + 1);
        socket.ping();
      }
    }
  }
}
