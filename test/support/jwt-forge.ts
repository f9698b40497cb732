import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';

const b64url = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** Hand-made JWTs, good and bad, so tests do not depend on the server's JWT library. */
export function signHmac(payload: object, secret: string, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const unsigned = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  const digest = alg === 'HS256' ? 'sha256' : 'sha512';
  return `${unsigned}.${createHmac(digest, secret).update(unsigned).digest('base64url')}`;
}

export function unsignedToken(payload: object): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

export function signRs256(payload: object): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unsigned = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

export function claims(userId: string, ttlSeconds: number): { sub: string; iat: number; exp: number } {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, iat: now, exp: now + ttlSeconds };
}
