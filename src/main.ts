import 'reflect-metadata';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { configureApp } from './app.setup';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });
  configureApp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const logger = new Logger('Relay');
  logger.log(`[${config.instanceId}] listening on http://${config.host}:${config.port} (docs at /docs, WebSocket at /entrypoint)`);
  if (config.isDevelopmentMode) {
    logger.warn(`[${config.instanceId}] single-instance development mode: set DATABASE_URL and REDIS_URL to run several instances`);
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    new Logger('Config').error(error.message);
  } else {
    new Logger('Relay').error('failed to start', (error as Error)?.stack ?? String(error));
  }
  process.exit(1);
});
