import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { UserDto } from '../users/user.dto';
import { UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import { LoginDto } from './dto/login.dto';
import { LoginResponseDto } from './dto/login-response.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { PasswordHasher } from './password-hasher.service';
import { RefreshTokenService } from './refresh-token.service';
import { SessionCloser } from './session-closer';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly sessions: SessionCloser,
  ) {}

  async register(dto: RegisterDto): Promise<UserDto> {
    const displayName = dto.displayName?.trim() || dto.email.split('@')[0];
    const user = await this.users.create(dto.email, await this.hasher.hash(dto.password), displayName);
    return UserDto.from(user);
  }

  async login(dto: LoginDto): Promise<LoginResponseDto> {
    const user = await this.users.findWithPasswordByEmail(dto.email);
    // Same error and (via the decoy hash) similar timing for unknown email and wrong password.
    const valid = await this.hasher.verify(user?.passwordHash, dto.password);
    if (!user || !valid) throw new DomainError('invalid_credentials', 'Invalid email or password');
    // Only after the password checked out, so the ban reveals nothing to someone guessing.
    if (user.bannedAt) throw new DomainError('forbidden', 'This account is banned');
    return { ...this.issuePair(user.id, await this.refreshTokens.issue(user.id)), user: UserDto.from(user) };
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    return this.issuePair(rotated.userId, rotated.refreshToken);
  }

  /** Revokes the login behind this refresh token and closes the user's sockets everywhere. */
  async logout(userId: string, refreshToken: string): Promise<void> {
    if (!(await this.refreshTokens.revokeFamilyOf(refreshToken, userId))) {
      throw new DomainError('unauthorized', 'Unknown refresh token');
    }
    this.sessions.closeSessions(userId, 'logged_out');
  }

  private issuePair(userId: string, refreshToken: string): TokenPairDto {
    return { ...this.tokens.issue(userId), refreshToken, refreshExpiresIn: this.refreshTokens.ttlSeconds };
  }
}
