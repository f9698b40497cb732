import { DynamicModule, Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { InMemoryLoginAttemptCounter } from './login-limit/in-memory-login-attempt-counter';
import { LoginAttemptCounter } from './login-limit/login-attempt-counter';
import { LoginThrottle } from './login-limit/login-throttle.service';
import { RedisLoginAttemptCounter } from './login-limit/redis-login-attempt-counter';
import { PasswordHasher } from './password-hasher.service';
import { RefreshToken } from './refresh-token.entity';
import { RefreshTokenService } from './refresh-token.service';

/** Global so every controller can use JwtAuthGuard and the gateway can verify tokens. */
@Global()
@Module({
  imports: [JwtModule.register({}), TypeOrmModule.forFeature([RefreshToken]), UsersModule],
  controllers: [AuthController],
  providers: [AuthService, AccessTokenService, PasswordHasher, JwtAuthGuard, RefreshTokenService, LoginThrottle],
  exports: [AccessTokenService, JwtAuthGuard, PasswordHasher],
})
export class AuthModule {
  /** Login attempts are counted in Redis when it is configured, so every instance sees them all. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: LoginAttemptCounter, useClass: config.usesRedis ? RedisLoginAttemptCounter : InMemoryLoginAttemptCounter }],
    };
  }
}
