import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger } from './app-logger.service';
import { ROOT_LOGGER } from './logging.tokens';
import { createRootLogger } from './root-logger';

/** One pino logger per process, for Nest's logs (AppLogger) and HTTP request logs (configureApp). */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: ROOT_LOGGER, useValue: createRootLogger(config) }, AppLogger],
      exports: [ROOT_LOGGER, AppLogger],
    };
  }
}
