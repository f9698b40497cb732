import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, MaxLength } from 'class-validator';
import { CurrentUserId } from '../auth/current-user-id.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { RateLimiter } from '../rate-limit/rate-limiter.service';
import { UsersService } from './users.service';

class FindUserQuery {
  @ApiProperty({ example: 'bob@example.com', description: 'Exact email, compared lower-cased' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @MaxLength(254)
  email: string;
}

/** What anyone signed in may learn about a user whose exact email they already know. */
class UserProfileDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'bob@example.com' })
  email: string;

  @ApiProperty({ example: 'Bob' })
  displayName: string;
}

@ApiTags('users')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  /**
   * Exact match only, so starting a DM needs the address and nobody can list the users; and
   * limited per user (USER_LOOKUP_LIMIT a minute), so nobody can test a list of addresses either.
   */
  @Get()
  @ApiOkResponse({ type: UserProfileDto })
  @ApiNotFoundResponse({ description: 'user_not_found: no user has this email' })
  @ApiTooManyRequestsResponse({ description: 'rate_limited: more than USER_LOOKUP_LIMIT lookups by this user in a minute; see Retry-After' })
  async findByEmail(@CurrentUserId() userId: string, @Query() query: FindUserQuery): Promise<UserProfileDto> {
    await this.limiter.check('user lookups', [{ key: `user-lookup:${userId}`, limit: this.config.userLookupLimit }]);
    const user = await this.users.findByEmail(query.email);
    if (!user) throw new DomainError('user_not_found', 'No user has this email');
    return { id: user.id, email: user.email, displayName: user.displayName };
  }
}
