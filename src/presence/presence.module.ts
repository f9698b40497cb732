import { DynamicModule, Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { AppConfig } from '../config/app-config';
import { InMemoryPresenceStore } from './in-memory-presence-store';
import { PresenceController } from './presence.controller';
import { PresenceStore } from './presence-store';
import { RedisPresenceStore } from './redis-presence-store';

/** Global: the gateway's presence tracker uses the store. Redis-backed when Redis (a server or a cluster) is configured. */
@Module({})
export class PresenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      global: true,
      module: PresenceModule,
      imports: [ChatModule],
      controllers: [PresenceController],
      providers: [{ provide: PresenceStore, useClass: config.usesRedis ? RedisPresenceStore : InMemoryPresenceStore }],
      exports: [PresenceStore],
    };
  }
}
