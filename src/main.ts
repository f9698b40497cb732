import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/app-config';
import { configureApp } from './app.setup';
import { ShutdownState } from './common/shutdown-state';
import { AppLogger } from './logging/app-logger.service';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Buffered until pino takes over, so start-up lines are JSON too.
  const app = await NestFactory.create(AppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  configureApp(app, config);
  exitCleanlyOn(['SIGTERM', 'SIGINT'], app);
  await app.listen(config.port, config.host);
  const logger = new Logger('Relay');
  logger.log(`listening on http://${config.host}:${config.port} (docs at /docs, WebSocket at /entrypoint)`);
  if (config.isDevelopmentMode) {
    logger.warn(`single-instance development mode: set DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES) to run several instances`);
  }
}

/**
 * app.close() closes sockets with 1012, then Redis and Postgres; then exit 0, so orchestrators
 * see a clean stop (Nest's own shutdown hooks re-raise the signal instead).
 */
function exitCleanlyOn(signals: NodeJS.Signals[], app: INestApplication): void {
  const logger = new Logger('Shutdown');
  for (const signal of signals) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining, then closing`);
      app.get(ShutdownState).begin();
      app.close().then(
        () => process.exit(0),
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        },
      );
    });
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
