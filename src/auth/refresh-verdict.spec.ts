import { describe, expect, it } from 'vitest';
import { judgeRefresh } from './refresh-verdict';

const NOW = new Date('2026-12-01T12:00:00Z');
const later = new Date(NOW.getTime() + 60_000);
const earlier = new Date(NOW.getTime() - 60_000);
const live = { revokedAt: null, expiresAt: later, userBannedAt: null };

describe('judgeRefresh', () => {
  it('rotates a live, unrevoked token', () => {
    expect(judgeRefresh(live, NOW)).toBe('rotate');
  });

  it('treats an unknown token as invalid', () => {
    expect(judgeRefresh(null, NOW)).toBe('invalid');
  });

  it('treats an expired token as invalid, expiring exactly at its expiry', () => {
    expect(judgeRefresh({ ...live, expiresAt: earlier }, NOW)).toBe('invalid');
    expect(judgeRefresh({ ...live, expiresAt: NOW }, NOW)).toBe('invalid');
  });

  it('calls a revoked token presented again reuse, even after it expired', () => {
    expect(judgeRefresh({ ...live, revokedAt: earlier }, NOW)).toBe('reuse');
    expect(judgeRefresh({ ...live, revokedAt: earlier, expiresAt: earlier }, NOW)).toBe('reuse');
  });

  it('refuses a banned user', () => {
    expect(judgeRefresh({ ...live, userBannedAt: earlier }, NOW)).toBe('banned');
  });
});
