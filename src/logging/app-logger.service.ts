import { Inject, Injectable, LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { ROOT_LOGGER } from './logging.tokens';

const PINO_LEVEL: Record<LogLevel, Level> = { verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'fatal' };

/** A string Nest passes where a stack trace goes: `Error: message\n    at file:1:2`. */
const STACK = /^.+\n\s+at .+:\d+:\d+/;

/**
 * Nest's logger interface written to pino: `new Logger('Ctx').log(msg)` arrives here as
 * `log(msg, 'Ctx')` and becomes `{context: 'Ctx', msg}`; `error(msg, stack, 'Ctx')` keeps the
 * stack as a field. Nest's own rule decides what a trailing string is: the context, unless it is
 * error's only extra argument and looks like a stack.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const pinoLevel = PINO_LEVEL[level];
    if (!this.root.isLevelEnabled(pinoLevel)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    const last = rest[rest.length - 1];
    if (typeof last === 'string' && (rest.length > 1 || level !== 'error' || !STACK.test(last))) fields.context = rest.pop();
    for (const param of rest) {
      if (typeof param === 'string' && level === 'error') fields.stack = param;
      else if (param !== null && typeof param === 'object') Object.assign(fields, param);
    }
    if (message instanceof Error) {
      fields.stack ??= message.stack;
      this.root[pinoLevel](fields, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.root[pinoLevel]({ ...fields, ...message });
    } else {
      this.root[pinoLevel](fields, String(message));
    }
  }
}
