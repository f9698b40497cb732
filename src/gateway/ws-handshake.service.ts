import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AccessTokenClaims, AccessTokenService } from '../auth/access-token.service';
import { AppConfig } from '../config/app-config';
import { ShutdownState } from '../common/shutdown-state';
import { ACCESS_TOKEN_PROTOCOL } from './ws-protocol';

export type HandshakeResult = { ok: true; claims: AccessTokenClaims } | { ok: false; status: 401 | 403 | 503; reason: string };

/** Claims verified during the upgrade, carried on the request to the connection handler. */
const CLAIMS = Symbol('relay.claims');
type RequestWithClaims = IncomingMessage & { [CLAIMS]?: AccessTokenClaims };

/**
 * Decides, before the upgrade, whether a WebSocket may open: Origin allowlist, then the JWT
 * carried in Sec-WebSocket-Protocol. Either `<token>` alone (the reference design) or
 * `access_token, <token>` (recommended: the server then echoes only `access_token`).
 */
@Injectable()
export class WsHandshakeService {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly config: AppConfig,
    private readonly shutdown: ShutdownState,
  ) {}

  check(request: IncomingMessage): HandshakeResult {
    if (this.shutdown.draining) return { ok: false, status: 503, reason: 'Server shutting down; connect to another instance' };
    // Browsers always send Origin, and the allowlist is what stops another site's page from
    // opening a socket with a user's token (cross-site WebSocket hijacking). Native apps and
    // servers send none and are not browsers, so they are not refused for its absence.
    const origin = request.headers.origin;
    if (this.config.allowedOrigins.length > 0 && origin !== undefined && !this.config.allowedOrigins.includes(origin)) {
      return { ok: false, status: 403, reason: 'Origin not allowed' };
    }
    const token = tokenFromProtocols(offeredProtocols(request));
    if (!token) return { ok: false, status: 401, reason: 'Missing access token' };
    try {
      const claims = this.tokens.verify(token);
      (request as RequestWithClaims)[CLAIMS] = claims;
      return { ok: true, claims };
    } catch {
      return { ok: false, status: 401, reason: 'Invalid or expired access token' };
    }
  }

  /** The subprotocol the server answers with; browsers require one of those offered. */
  selectProtocol(protocols: Set<string>): string | false {
    if (protocols.has(ACCESS_TOKEN_PROTOCOL)) return ACCESS_TOKEN_PROTOCOL;
    const [first] = protocols;
    return first ?? false;
  }

  claimsOf(request: IncomingMessage): AccessTokenClaims | undefined {
    return (request as RequestWithClaims)[CLAIMS];
  }
}

function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function tokenFromProtocols(protocols: string[]): string | undefined {
  const others = protocols.filter((value) => value !== ACCESS_TOKEN_PROTOCOL);
  return others.length === 1 ? others[0] : undefined;
}
