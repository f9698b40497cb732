import type { LogFn, Logger } from 'pino';

/**
 * Where secrets sit in structured log records: the bearer token and the WebSocket subprotocol
 * (which carries the JWT), cookies, login bodies and token responses.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  'req.body.password',
  'body.password',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  // Opaque, so scrubTokens cannot recognise it in text: only the field names protect it.
  'refreshToken',
  '*.refreshToken',
];

/** A JWT anywhere in a string: base64url of `{"` starts every header. */
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

export function scrubTokens(text: string): string {
  return text.replace(JWT, '[redacted-jwt]');
}

/**
 * pino's logMethod hook: redaction paths only reach structured fields, so a token interpolated
 * into a message string (say, an error that quotes a header) is masked here.
 */
export function scrubTokensFromMessages(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const scrubbed = args.map((arg: unknown) => (typeof arg === 'string' ? scrubTokens(arg) : arg));
  method.apply(this, scrubbed as Parameters<LogFn>);
}
