import pino, { Level, Logger, stdTimeFunctions } from 'pino';
import pretty from 'pino-pretty';
import { AppConfig } from '../config/app-config';
import { REDACTED_PATHS, scrubTokensFromMessages } from './redaction';

/** LOG_LEVEL speaks Nest's level names; pino calls `log` info and `verbose` trace. */
const PINO_LEVEL: Record<AppConfig['logLevel'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** The process's one pino logger: Nest's logs and the HTTP request logs are its children. */
export function createRootLogger(config: AppConfig): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[config.logLevel],
    base: { instanceId: config.instanceId, pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: { logMethod: scrubTokensFromMessages },
  };
  return config.logFormat === 'pretty' ? pino(options, prettyStream()) : pino(options);
}

/**
 * In-process and synchronous rather than a worker-thread transport, so the last lines before
 * process.exit() are not lost.
 */
function prettyStream(): ReturnType<typeof pretty> {
  return pretty({
    sync: true,
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{instanceId} {if context}[{context}] {end}{if requestId}({requestId}) {end}{msg}',
    ignore: 'pid,hostname,instanceId,context,requestId,req,res,responseTime',
  });
}
