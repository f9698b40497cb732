import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable, toDatabaseUnavailable } from './database-unavailable';
import { DomainError } from './domain-error';

/**
 * Every HTTP error leaves as `{statusCode, message, error}` (plus `code` for domain errors).
 * Unknown errors are logged with an id and answered without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response.status(exception.getStatus()).json(typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body);
      return;
    }
    const domain = this.toDomainError(exception);
    response.status(domain.httpStatus).json({
      statusCode: domain.httpStatus,
      message: domain.message,
      error: HttpStatus[domain.httpStatus] ?? 'Error',
      code: domain.code,
    });
  }

  private toDomainError(exception: unknown): DomainError {
    if (exception instanceof DomainError) return exception;
    if (isDatabaseUnavailable(exception)) return toDatabaseUnavailable();
    const errorId = randomUUID();
    this.logger.error(`unexpected error ${errorId}`, (exception as Error)?.stack ?? String(exception));
    return new DomainError('internal_error', `Internal error (id ${errorId})`);
  }
}
