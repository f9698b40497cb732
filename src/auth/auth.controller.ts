import { Body, Controller, Get, HttpCode, NotFoundException, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { UserDto } from '../users/user.dto';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { CurrentUserId } from './current-user-id.decorator';
import { LoginDto } from './dto/login.dto';
import { LoginResponseDto } from './dto/login-response.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { JwtAuthGuard } from './jwt-auth.guard';
import { clientIp } from './login-limit/client-ip';
import { LoginThrottle } from './login-limit/login-throttle.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    private readonly config: AppConfig,
  ) {}

  @Post('register')
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'email_taken' })
  register(@Body() dto: RegisterDto): Promise<UserDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'invalid_credentials (same answer for unknown email and wrong password)' })
  @ApiForbiddenResponse({ description: 'forbidden: the account is banned' })
  @ApiTooManyRequestsResponse({ description: 'rate_limited: too many attempts for this account or from this IP; see Retry-After' })
  async login(@Body() dto: LoginDto, @Req() request: Request): Promise<LoginResponseDto> {
    await this.throttle.check(clientIp(request.headers['x-forwarded-for'], request.socket.remoteAddress, this.config.trustProxy), dto.email);
    return this.auth.login(dto);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the refresh token presented is now spent' })
  @ApiUnauthorizedResponse({ description: 'unauthorized: unknown, expired or already used (which revokes its whole login)' })
  @ApiForbiddenResponse({ description: 'forbidden: the account is banned' })
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: "The refresh token's login is revoked and the user's sockets are closed with 4003 on every instance" })
  @ApiUnauthorizedResponse({ description: 'unauthorized: bad access token, or the refresh token is not one of yours' })
  logout(@CurrentUserId() userId: string, @Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(userId, dto.refreshToken);
  }

  @Get('me')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentUserId() userId: string): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundException('User no longer exists');
    return UserDto.from(user);
  }
}
