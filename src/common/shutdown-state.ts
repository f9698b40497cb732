import { Global, Injectable, Module } from '@nestjs/common';

/**
 * Set when the process has been told to stop: readiness answers 503 and new WebSocket
 * upgrades are refused, while sends already received finish and are acked.
 */
@Injectable()
export class ShutdownState {
  private drainingSince?: Date;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  begin(): void {
    this.drainingSince ??= new Date();
  }
}

@Global()
@Module({ providers: [ShutdownState], exports: [ShutdownState] })
export class ShutdownStateModule {}
