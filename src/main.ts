import 'reflect-metadata';
import { Logger, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { VALIDATION_OPTIONS } from './common/validate-payload';
import { RelayWsAdapter } from './gateway/relay-ws-adapter';
import { setupSwagger } from './swagger';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });
  app.useWebSocketAdapter(new RelayWsAdapter(app));
  app.useGlobalPipes(new ValidationPipe({ ...VALIDATION_OPTIONS, transform: true }));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableCors({ origin: config.allowedOrigins.length > 0 ? config.allowedOrigins : true });
  app.enableShutdownHooks();
  setupSwagger(app);
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
