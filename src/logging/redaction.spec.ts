import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED_PATHS, scrubTokens, scrubTokensFromMessages } from './redaction';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

function capture(): { logger: pino.Logger; text: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, hooks: { logMethod: scrubTokensFromMessages } }, sink);
  return { logger, text: () => text };
}

describe('log redaction', () => {
  it('masks JWTs inside text, signed or not', () => {
    expect(scrubTokens(`bad protocol access_token, ${JWT}`)).toBe('bad protocol access_token, [redacted-jwt]');
    expect(scrubTokens('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.')).toBe('[redacted-jwt]');
    expect(scrubTokens('nothing secret here')).toBe('nothing secret here');
  });

  it('masks secret fields and tokens in messages', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: `Bearer ${JWT}`, 'sec-websocket-protocol': `access_token, ${JWT}` } } }, 'request');
    logger.info({ body: { password: 'hunter2-hunter2' }, user: { accessToken: JWT } }, 'login');
    logger.info({ body: { refreshToken: 'opaque-refresh-secret' }, refreshToken: 'opaque-refresh-secret' }, 'refresh');
    logger.warn(`handshake refused for ${JWT}`);
    expect(text()).not.toContain(JWT);
    expect(text()).not.toContain('hunter2');
    expect(text()).not.toContain('opaque-refresh-secret');
    expect(text()).toContain('[redacted]');
    expect(text()).toContain('handshake refused for [redacted-jwt]');
  });
});
