import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { Level, LevelWithSilent, SerializedRequest, SerializedResponse, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import pretty from 'pino-pretty';
import { AppConfig } from '../config/app-config';
import { REDACTED_PATHS, scrubTokensFromMessages } from './redaction';
import { requestId } from './request-id';

/** LOG_LEVEL speaks Nest's level names; pino calls `log` info and `verbose` trace. */
const PINO_LEVEL: Record<AppConfig['logLevel'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** nestjs-pino's settings: one pino logger for Nest's own logs and pino-http's request logs. */
export function loggerParams(config: AppConfig): Params {
  const options: Options = {
    level: PINO_LEVEL[config.logLevel],
    base: { instanceId: config.instanceId, pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Express 5's wildcard middleware route fills `params` with noise; the url has the query.
    serializers: {
      req: (req: SerializedRequest) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress, headers: req.headers }),
      res: (res: SerializedResponse) => ({ statusCode: res.statusCode }),
    },
    hooks: { logMethod: scrubTokensFromMessages },
    genReqId: requestId,
    // Lines logged while handling a request carry only its id; the full request is on the
    // completion line.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    customLogLevel: requestLogLevel,
    customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    customErrorMessage: (req, res, error) => `${req.method} ${req.url} ${res.statusCode}: ${error.message}`,
  };
  return { pinoHttp: config.logFormat === 'pretty' ? [options, prettyStream()] : options };
}

/** Health probes and metric scrapes come every few seconds: keep them out of the normal log. */
function requestLogLevel(req: IncomingMessage, res: ServerResponse, error?: Error): LevelWithSilent {
  if (req.url?.startsWith('/health/')) return 'debug';
  if (req.url === '/metrics' && res.statusCode < 400) return 'debug';
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return 'info';
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
