import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable, toDatabaseUnavailable } from './database-unavailable';
import { DomainError, ErrorCode } from './domain-error';
import type { RelayMetrics } from '../metrics/relay-metrics.service';

/** Codes for Nest's own HTTP exceptions (validation pipe, ParseUUIDPipe, guards), by status. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  503: 'unavailable',
};

/**
 * Every HTTP error leaves as `{statusCode, message, error, code}`: Nest's usual body plus the
 * same stable `code` the WebSocket errors carry. Unknown errors are logged with an id and
 * answered without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly metrics?: RelayMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const fields = typeof body === 'string' ? { message: body } : body;
      response.status(status).json({ statusCode: status, error: STATUS_CODES[status], code: CODE_BY_STATUS[status] ?? (status < 500 ? 'bad_request' : 'internal_error'), ...fields });
      return;
    }
    const domain = this.toDomainError(exception, host.switchToHttp().getRequest<Request>());
    const retryAfter = (domain.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    response.status(domain.httpStatus).json({
      statusCode: domain.httpStatus,
      message: domain.message,
      error: STATUS_CODES[domain.httpStatus],
      code: domain.code,
    });
  }

  private toDomainError(exception: unknown, request: Request): DomainError {
    if (exception instanceof DomainError) return exception;
    if (isDatabaseUnavailable(exception)) {
      this.metrics?.databaseUnavailable('http');
      return toDatabaseUnavailable();
    }
    const errorId = randomUUID();
    const stack = (exception as Error)?.stack ?? String(exception);
    // The request's own logger (pino-http's, installed first by configureApp and bound to the
    // requestId), so the line can be found from the request's completion line; there is no
    // ambient request context to do it for us.
    request.log.error({ context: HttpExceptionFilter.name, errorId, stack }, `unexpected error ${errorId}`);
    return new DomainError('internal_error', `Internal error (id ${errorId})`);
  }
}
