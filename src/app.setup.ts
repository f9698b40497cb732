import { join } from 'node:path';
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { VALIDATION_OPTIONS } from './common/validate-payload';
import { RelayWsAdapter } from './gateway/relay-ws-adapter';
import { httpRequestLogger } from './logging/http-request-logger';
import { ROOT_LOGGER } from './logging/logging.tokens';
import { RelayMetrics } from './metrics/relay-metrics.service';
import { setupSwagger } from './swagger';

/** The web client, built into dist/web by `npm run build` (scripts/build-web.js). */
const WEB_CLIENT_DIR = join(__dirname, 'web');

/** Everything an app needs before listen(), shared by main.ts and in-process test instances. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  // First, so every request is logged, static files and unmatched paths included.
  app.use(httpRequestLogger(app.get(ROOT_LOGGER)));
  app.useWebSocketAdapter(new RelayWsAdapter(app));
  app.useGlobalPipes(new ValidationPipe({ ...VALIDATION_OPTIONS, transform: true }));
  app.useGlobalFilters(new HttpExceptionFilter(app.get(RelayMetrics)));
  app.enableCors({ origin: config.allowedOrigins.length > 0 ? config.allowedOrigins : true });
  // Only files that exist are served (index.html at `/`); every other path falls through to the API.
  (app as NestExpressApplication).useStaticAssets(WEB_CLIENT_DIR, { index: 'index.html', redirect: false });
  setupSwagger(app);
}
