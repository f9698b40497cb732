import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable, toDatabaseUnavailable } from '../common/database-unavailable';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { ErrorPayload } from './ws-protocol';

/** The WS counterpart of the HTTP exception filter: any thrown error -> an `error` event payload. */
@Injectable()
export class WsErrorMapper {
  private readonly logger = new Logger(WsErrorMapper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: RelayMetrics,
  ) {}

  toPayload(error: unknown, ref: string | number | null): ErrorPayload {
    const domain = this.toDomainError(error);
    return { code: domain.code, message: domain.message, ref, retryable: domain.retryable };
  }

  private toDomainError(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(`[${this.config.instanceId}] database unavailable: ${(error as Error).message}`);
      this.metrics.databaseUnavailable('ws');
      return toDatabaseUnavailable();
    }
    const errorId = randomUUID();
    this.logger.error(`[${this.config.instanceId}] unexpected error ${errorId}`, (error as Error)?.stack ?? String(error));
    return new DomainError('internal_error', `Internal error (id ${errorId})`);
  }
}
