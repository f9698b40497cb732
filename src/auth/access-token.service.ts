import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/domain-error';

export interface AccessTokenClaims {
  /** User id */
  sub: string;
  /** Expiry, seconds since the epoch */
  exp: number;
}

const ALGORITHM = 'HS256';

/** Issues and verifies access tokens. The algorithm is pinned: `alg: none` and RS/ES tokens are refused. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  issue(userId: string, ttlSeconds = this.config.jwtTtlSeconds): { accessToken: string; expiresIn: number } {
    const accessToken = this.jwt.sign(
      { sub: userId },
      { secret: this.config.jwtSecret, algorithm: ALGORITHM, expiresIn: ttlSeconds },
    );
    return { accessToken, expiresIn: ttlSeconds };
  }

  /** Throws DomainError('unauthorized') for anything but a valid, unexpired token of ours. */
  verify(token: string): AccessTokenClaims {
    try {
      const claims = this.jwt.verify<Partial<AccessTokenClaims>>(token, {
        secret: this.config.jwtSecret,
        algorithms: [ALGORITHM],
      });
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw new Error('missing claims');
      return { sub: claims.sub, exp: claims.exp };
    } catch {
      throw new DomainError('unauthorized', 'Invalid or expired access token');
    }
  }
}
