import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { RefreshToken } from './refresh-token.entity';
import { judgeRefresh } from './refresh-verdict';

interface PresentedRow {
  id: string;
  user_id: string;
  family_id: string;
  revoked_at: Date | null;
  expires_at: Date;
  banned_at: Date | null;
}

export interface RotatedRefreshToken {
  userId: string;
  refreshToken: string;
}

type RotateOutcome = { verdict: 'rotate'; rotated: RotatedRefreshToken } | { verdict: 'reuse' | 'banned' | 'invalid' };

/** Opaque refresh tokens: 256 random bits for the client, only their sha256 in Postgres. */
@Injectable()
export class RefreshTokenService {
  constructor(
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.refreshTtlSeconds;
  }

  /** The first token of a new family (a login). */
  async issue(userId: string): Promise<string> {
    return (await this.insert(this.tokens.manager, userId, randomUUID())).token;
  }

  /**
   * Exchanges a live token for a new one of the same family. The row lock makes two concurrent
   * uses of one token count as reuse: the second sees the first's revocation.
   */
  async rotate(token: string): Promise<RotatedRefreshToken> {
    const outcome = await this.tokens.manager.transaction(async (manager): Promise<RotateOutcome> => {
      const rows: PresentedRow[] = await manager.query(
        `SELECT t.id, t.user_id, t.family_id, t.revoked_at, t.expires_at, u.banned_at
           FROM refresh_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t`,
        [hashToken(token)],
      );
      const row = rows[0] as PresentedRow | undefined;
      const verdict = judgeRefresh(row ? { revokedAt: row.revoked_at, expiresAt: row.expires_at, userBannedAt: row.banned_at } : null, new Date());
      if (!row || verdict === 'invalid') return { verdict: 'invalid' };
      if (verdict !== 'rotate') {
        // Committed before the refusal is thrown, or the revocation would roll back with it.
        await this.revokeFamily(manager, row.family_id);
        return { verdict };
      }
      const next = await this.insert(manager, row.user_id, row.family_id);
      await manager.query(`UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1`, [row.id, next.id]);
      return { verdict, rotated: { userId: row.user_id, refreshToken: next.token } };
    });
    if (outcome.verdict === 'rotate') return outcome.rotated;
    if (outcome.verdict === 'banned') throw new DomainError('forbidden', 'This account is banned');
    if (outcome.verdict === 'reuse') {
      throw new DomainError('unauthorized', 'Refresh token already used; every session from that login is revoked, log in again');
    }
    throw new DomainError('unauthorized', 'Invalid or expired refresh token');
  }

  /** Revokes the family of one of this user's tokens (logout). False if the token is not theirs. */
  async revokeFamilyOf(token: string, userId: string): Promise<boolean> {
    const found = await this.tokens.findOne({ select: { familyId: true }, where: { tokenHash: hashToken(token), userId } });
    if (!found) return false;
    await this.revokeFamily(this.tokens.manager, found.familyId);
    return true;
  }

  /** Revokes every live token of the user (ban). Returns how many were live. */
  async revokeAllOf(userId: string): Promise<number> {
    const [, affected]: [unknown, number] = await this.tokens.manager.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    return affected;
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }

  private async insert(manager: EntityManager, userId: string, familyId: string): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id`,
      [userId, hashToken(token), familyId, this.config.refreshTtlSeconds],
    );
    return { id: rows[0].id, token };
  }
}

/** A fast hash is enough: the token is 256 random bits, so there is nothing to brute-force. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
