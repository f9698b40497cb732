import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/** With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>`; unset, anyone may scrape. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    this.expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    if (bearerMatches(header, this.expected)) return true;
    throw new UnauthorizedException('A valid metrics token is required');
  }
}

/** Compares digests, so the comparison takes the same time whatever the length of the guess. */
export function bearerMatches(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), expectedDigest);
}

export function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
