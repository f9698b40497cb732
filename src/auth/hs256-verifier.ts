import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';

export interface VerifiedClaims {
  sub: string;
  exp: number;
}

/**
 * Verifies our own HS256 access tokens and nothing else. Written out rather than going
 * through jsonwebtoken on the connect path: that library first tries to parse the shared
 * secret as a public key on every call, which was the top JavaScript frame in connect
 * profiles (docs/PERFORMANCE.md). The key object is built once. Returns null for anything
 * invalid: wrong algorithm (none, HS512, RS256...), bad signature, expired, malformed.
 */
export class Hs256Verifier {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  verify(token: string, nowSeconds = Date.now() / 1000): VerifiedClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [encodedHeader, encodedPayload, encodedSignature] = parts;
    const header = parseSegment(encodedHeader);
    if (header?.alg !== 'HS256') return null;
    const expected = createHmac('sha256', this.key).update(`${encodedHeader}.${encodedPayload}`).digest();
    const given = Buffer.from(encodedSignature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = parseSegment(encodedPayload);
    if (typeof claims?.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return null;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds)) return null;
    return { sub: claims.sub, exp: claims.exp };
  }
}

function parseSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
