import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ChatEventHandlers } from './chat-event.handlers';
import { RelayGateway } from './relay.gateway';
import { TokenExpiryService } from './token-expiry.service';
import { WsClientManager } from './ws-client-manager.service';
import { WsErrorMapper } from './ws-error.mapper';
import { WsFrameRouter } from './ws-frame-router.service';
import { WsHandshakeService } from './ws-handshake.service';

@Module({
  imports: [ChatModule],
  providers: [
    RelayGateway,
    WsHandshakeService,
    WsClientManager,
    TokenExpiryService,
    WsFrameRouter,
    WsErrorMapper,
    ChatEventHandlers,
  ],
  exports: [WsClientManager],
})
export class GatewayModule {}
