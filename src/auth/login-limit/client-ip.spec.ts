import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip';

describe('clientIp', () => {
  it('ignores X-Forwarded-For unless the proxy is trusted', () => {
    expect(clientIp('1.2.3.4', '10.0.0.9', false)).toBe('10.0.0.9');
  });

  it('takes the entry the trusted proxy appended, not what the client claimed', () => {
    expect(clientIp('6.6.6.6, 1.2.3.4', '10.0.0.9', true)).toBe('1.2.3.4');
    expect(clientIp(['6.6.6.6', '1.2.3.4'], '10.0.0.9', true)).toBe('1.2.3.4');
  });

  it('falls back to the socket address when the header is missing or empty', () => {
    expect(clientIp(undefined, '10.0.0.9', true)).toBe('10.0.0.9');
    expect(clientIp(' , ', '10.0.0.9', true)).toBe('10.0.0.9');
  });

  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(clientIp(undefined, '::ffff:127.0.0.1', false)).toBe('127.0.0.1');
    expect(clientIp(undefined, '::1', false)).toBe('::1');
  });
});
