import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { UserDto } from '../users/user.dto';
import { UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import { LoginDto } from './dto/login.dto';
import { LoginResponseDto } from './dto/login-response.dto';
import { RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password-hasher.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
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
    return { ...this.tokens.issue(user.id), user: UserDto.from(user) };
  }
}
