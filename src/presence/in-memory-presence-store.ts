import { Injectable } from '@nestjs/common';
import { PresenceStore } from './presence-store';

/** Single-instance development mode: this instance is the only one, so its own view is the truth. */
@Injectable()
export class InMemoryPresenceStore extends PresenceStore {
  private readonly online = new Set<string>();

  connect(userId: string): Promise<boolean> {
    const wasOffline = !this.online.has(userId);
    this.online.add(userId);
    return Promise.resolve(wasOffline);
  }

  disconnect(userId: string): Promise<boolean> {
    return Promise.resolve(this.online.delete(userId));
  }

  heartbeat(): Promise<void> {
    return Promise.resolve();
  }

  reapExpired(): Promise<string[]> {
    return Promise.resolve([]);
  }

  isOnline(userId: string): Promise<boolean> {
    return Promise.resolve(this.online.has(userId));
  }
}
