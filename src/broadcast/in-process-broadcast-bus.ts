import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BroadcastBus } from './broadcast-bus';

/**
 * The bus for a single instance with no Redis: there are no other instances to reach, and the
 * client manager has already delivered locally, so publishing has nothing to do.
 */
@Injectable()
export class InProcessBroadcastBus extends BroadcastBus implements OnModuleInit {
  private readonly logger = new Logger(InProcessBroadcastBus.name);

  onModuleInit(): void {
    this.logger.warn('REDIS_URL is not set: using the in-process bus. Single-instance development mode only.');
  }

  publish(): Promise<void> {
    return Promise.resolve();
  }

  publishControl(): Promise<void> {
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  onEnvelope(): void {}

  onResubscribed(): void {}

  onPublishRecovered(): void {}
}
