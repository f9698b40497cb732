/** What the server knows about a presented refresh token (null: no such token). */
export interface PresentedRefreshToken {
  revokedAt: Date | null;
  expiresAt: Date;
  userBannedAt: Date | null;
}

/**
 * - `rotate`: issue a new pair and revoke this token.
 * - `reuse`: a revoked token came back, so someone holds a copy: revoke its whole family.
 * - `banned`: revoke the family and refuse.
 * - `invalid`: unknown or expired; nothing to revoke.
 */
export type RefreshVerdict = 'rotate' | 'reuse' | 'banned' | 'invalid';

export function judgeRefresh(token: PresentedRefreshToken | null, now: Date): RefreshVerdict {
  if (!token) return 'invalid';
  // Before expiry: an old stolen copy is still evidence of theft, even once it has expired.
  if (token.revokedAt) return 'reuse';
  if (token.userBannedAt) return 'banned';
  if (token.expiresAt.getTime() <= now.getTime()) return 'invalid';
  return 'rotate';
}
