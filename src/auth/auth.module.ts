import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { LoginThrottle } from './login-limit/login-throttle.service';
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
export class AuthModule {}
