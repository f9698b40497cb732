import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { PasswordHasher } from './password-hasher.service';

/** Global so every controller can use JwtAuthGuard and the gateway can verify tokens. */
@Global()
@Module({
  imports: [JwtModule.register({}), UsersModule],
  controllers: [AuthController],
  providers: [AuthService, AccessTokenService, PasswordHasher, JwtAuthGuard],
  exports: [AccessTokenService, JwtAuthGuard, PasswordHasher],
})
export class AuthModule {}
