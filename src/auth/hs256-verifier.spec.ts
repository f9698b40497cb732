import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Hs256Verifier } from './hs256-verifier';

const SECRET = 'a-test-secret-a-test-secret-a-test-secret';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (header: object, payload: object, secret = SECRET, digest = 'sha256') => {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac(digest, secret).update(unsigned).digest('base64url')}`;
};
const NOW = 1_800_000_000;
const valid = { sub: 'user-1', iat: NOW - 10, exp: NOW + 60 };

describe(Hs256Verifier.name, () => {
  const verifier = new Hs256Verifier(SECRET);

  it('accepts our own unexpired HS256 token', () => {
    expect(verifier.verify(sign({ alg: 'HS256', typ: 'JWT' }, valid), NOW)).toEqual({ sub: 'user-1', exp: NOW + 60 });
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64(valid)}.`],
    ['another key', sign({ alg: 'HS256' }, valid, 'another-secret-another-secret-another')],
    ['HS512 with our key', sign({ alg: 'HS512' }, valid, SECRET, 'sha512')],
    ['an HS256 signature under an HS512 header', sign({ alg: 'HS512' }, valid)],
    ['expired', sign({ alg: 'HS256' }, { ...valid, exp: NOW })],
    ['not yet valid', sign({ alg: 'HS256' }, { ...valid, nbf: NOW + 5 })],
    ['no subject', sign({ alg: 'HS256' }, { exp: NOW + 60 })],
    ['no expiry', sign({ alg: 'HS256' }, { sub: 'user-1' })],
    ['a tampered payload', sign({ alg: 'HS256' }, valid).replace(/\.[^.]+\./, `.${b64({ ...valid, sub: 'admin' })}.`)],
    ['garbage', 'not.a.jwt'],
    ['two segments', 'abc.def'],
  ])('refuses %s', (_name, token) => {
    expect(verifier.verify(token, NOW)).toBeNull();
  });
});
