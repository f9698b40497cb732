import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Accept a caller's id (a proxy's or a client's) only if it cannot forge or break a log line. */
const SAFE_ID = /^[\w.:-]{1,128}$/;

/** The request id pino-http binds to every log line of the request, echoed as X-Request-Id. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}
