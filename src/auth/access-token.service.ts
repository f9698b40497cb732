import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/domain-error';
import { Hs256Verifier } from './hs256-verifier';

export interface AccessTokenClaims {
  /** User id */
  sub: string;
  /** Expiry, seconds since the epoch */
  exp: number;
}

const ALGORITHM = 'HS256';

/** Issues (HS256, via @nestjs/jwt) and verifies access tokens. The algorithm is pinned: `alg: none`, HS512 and RS/ES tokens are refused. */
@Injectable()
export class AccessTokenService {
  private readonly verifier: Hs256Verifier;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    this.verifier = new Hs256Verifier(config.jwtSecret);
  }

  issue(userId: string, ttlSeconds = this.config.jwtTtlSeconds): { accessToken: string; expiresIn: number } {
    const accessToken = this.jwt.sign(
      { sub: userId },
      { secret: this.config.jwtSecret, algorithm: ALGORITHM, expiresIn: ttlSeconds },
    );
    return { accessToken, expiresIn: ttlSeconds };
  }

  /** Throws DomainError('unauthorized') for anything but a valid, unexpired token of ours. */
  verify(token: string): AccessTokenClaims {
    const claims = this.verifier.verify(token);
    if (!claims) throw new DomainError('unauthorized', 'Invalid or expired access token');
    return claims;
  }
}
