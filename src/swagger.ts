import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { WS_PATH } from './gateway/ws-protocol';

export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Relay')
      .setDescription(
        `Real-time chat backend. Log in with POST /auth/login, press "Authorize" and paste the accessToken. ` +
          `Real-time traffic goes over the WebSocket at ${WS_PATH} (protocol in the README).`,
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
