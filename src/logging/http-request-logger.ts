import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LevelWithSilent, Logger, SerializedRequest, SerializedResponse } from 'pino';
import { pinoHttp, HttpLogger } from 'pino-http';
import { requestId } from './request-id';

/**
 * One line per HTTP request, when it completes, with its id. `req.log` is the request's own
 * logger (bound to `requestId`): code that logs while handling a request uses it explicitly.
 * We deliberately keep no AsyncLocalStorage request context (what nestjs-pino did): entering one
 * turns on Node 20's promise hooks for every promise in the process, the WebSocket send path
 * included, and that cost about 7 % of Relay's CPU per DM send (docs/PERFORMANCE.md).
 */
export function httpRequestLogger(root: Logger): HttpLogger {
  return pinoHttp({
    logger: root,
    // Express 5's wildcard routes fill `params` with noise; the url has the query.
    serializers: {
      req: (req: SerializedRequest) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress, headers: req.headers }),
      res: (res: SerializedResponse) => ({ statusCode: res.statusCode }),
    },
    genReqId: requestId,
    // Lines logged while handling a request carry only its id; the full request is on the
    // completion line.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    customLogLevel: requestLogLevel,
    customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    customErrorMessage: (req, res, error) => `${req.method} ${req.url} ${res.statusCode}: ${error.message}`,
  });
}

/** Health probes and metric scrapes come every few seconds: keep them out of the normal log. */
function requestLogLevel(req: IncomingMessage, res: ServerResponse, error?: Error): LevelWithSilent {
  if (req.url?.startsWith('/health/')) return 'debug';
  if (req.url === '/metrics' && res.statusCode < 400) return 'debug';
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return 'info';
}
