import { INestApplication, ValidationPipe } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { VALIDATION_OPTIONS } from './common/validate-payload';
import { RelayWsAdapter } from './gateway/relay-ws-adapter';
import { setupSwagger } from './swagger';

/** Everything an app needs before listen(), shared by main.ts and in-process test instances. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  app.useWebSocketAdapter(new RelayWsAdapter(app));
  app.useGlobalPipes(new ValidationPipe({ ...VALIDATION_OPTIONS, transform: true }));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableCors({ origin: config.allowedOrigins.length > 0 ? config.allowedOrigins : true });
  setupSwagger(app);
}
