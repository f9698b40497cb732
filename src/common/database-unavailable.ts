import { DomainError } from './domain-error';

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connect ETIMEDOUT|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection/i;

/**
 * True for errors that mean "Postgres could not be reached or went away", as opposed to a
 * query that Postgres rejected. Those are worth retrying, so the client is told so.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && CONNECTION_ERROR_CODES.has(code)) return true;
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown), 57014 (statement timeout)
  if (code && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '57014')) return true;
  const driverError = (error as { driverError?: unknown }).driverError;
  if (driverError && driverError !== error && isDatabaseUnavailable(driverError)) return true;
  return CONNECTION_MESSAGE.test(error.message);
}

export function toDatabaseUnavailable(): DomainError {
  return new DomainError('unavailable', 'The message store is unavailable; nothing was saved. Retry shortly.');
}
