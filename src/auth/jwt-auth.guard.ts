import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { DomainError } from '../common/domain-error';
import { AccessTokenService } from './access-token.service';

export interface AuthenticatedRequest extends Request {
  userId: string;
}

/** REST authentication: "Authorization: Bearer <access token>". */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly tokens: AccessTokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new DomainError('unauthorized', 'Missing "Authorization: Bearer <token>" header');
    }
    request.userId = this.tokens.verify(token).sub;
    return true;
  }
}
