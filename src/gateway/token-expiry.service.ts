import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CLOSE_CODES } from './ws-protocol';
import { RelaySocket } from './relay-socket';

const SWEEP_INTERVAL_MS = 1000;

/**
 * Closes sockets whose token has expired. One timer for the whole instance sweeps buckets
 * keyed by expiry second, instead of one timer per socket.
 */
@Injectable()
export class TokenExpiryService implements OnModuleInit, OnModuleDestroy {
  private readonly bySecond = new Map<number, Set<RelaySocket>>();
  private timer?: NodeJS.Timeout;

  onModuleInit(): void {
    this.timer = setInterval(() => this.sweep(Math.floor(Date.now() / 1000)), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  track(socket: RelaySocket): void {
    let bucket = this.bySecond.get(socket.expiresAt);
    if (!bucket) this.bySecond.set(socket.expiresAt, (bucket = new Set()));
    bucket.add(socket);
  }

  untrack(socket: RelaySocket): void {
    const bucket = this.bySecond.get(socket.expiresAt);
    if (bucket?.delete(socket) && bucket.size === 0) this.bySecond.delete(socket.expiresAt);
  }

  /** Moves the socket to its new token's expiry (the bucket is found by the old expiresAt). */
  reschedule(socket: RelaySocket, expiresAt: number): void {
    this.untrack(socket);
    socket.expiresAt = expiresAt;
    this.track(socket);
  }

  /** Closes every socket whose token expires at or before `nowSeconds`. */
  sweep(nowSeconds: number): void {
    for (const [second, sockets] of this.bySecond) {
      if (second > nowSeconds) continue;
      this.bySecond.delete(second);
      for (const socket of sockets) socket.close(CLOSE_CODES.tokenExpired, 'Access token expired');
    }
  }
}
