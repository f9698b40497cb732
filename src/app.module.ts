import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ShutdownStateModule } from './common/shutdown-state';
import { DatabaseModule } from './database/database.module';
import { AuthModule } from './auth/auth.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { UsersModule } from './users/users.module';
import { ChatModule } from './chat/chat.module';
import { BroadcastModule } from './broadcast/broadcast.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { PresenceModule } from './presence/presence.module';
import { MetricsModule } from './metrics/metrics.module';
import { LoggingModule } from './logging/logging.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot(config),
        ConfigModule.forRoot(config),
        MetricsModule,
        ShutdownStateModule,
        DatabaseModule,
        BroadcastModule.forRoot(config),
        RateLimitModule.forRoot(config),
        AuthModule,
        UsersModule,
        ChatModule,
        PresenceModule.forRoot(config),
        GatewayModule,
        HealthModule,
      ],
    };
  }
}
