import { Global, Module } from '@nestjs/common';
import { ChatNotifier } from '../chat/chat-notifier';
import { ChatModule } from '../chat/chat.module';
import { ConversationEventHandlers } from './conversation-event.handlers';
import { HeartbeatService } from './heartbeat.service';
import { MessageEventHandlers } from './message-event.handlers';
import { SocketChatNotifier } from './socket-chat-notifier';
import { SyncEventHandler } from './sync-event.handler';
import { SessionEventHandlers } from './session-event.handlers';
import { SocketSessionCloser } from './socket-session-closer';
import { SessionCloser } from '../auth/session-closer';
import { PresenceAnnouncer } from './presence-announcer.service';
import { PresenceTracker } from './presence-tracker.service';
import { RelayGateway } from './relay.gateway';
import { TokenExpiryService } from './token-expiry.service';
import { WsClientManager } from './ws-client-manager.service';
import { WsErrorMapper } from './ws-error.mapper';
import { WsFrameRouter } from './ws-frame-router.service';
import { WsHandshakeService } from './ws-handshake.service';

/** Global so chat's REST controllers can reach ChatNotifier without importing the gateway. */
@Global()
@Module({
  imports: [ChatModule],
  providers: [
    RelayGateway,
    WsHandshakeService,
    WsClientManager,
    TokenExpiryService,
    HeartbeatService,
    WsFrameRouter,
    WsErrorMapper,
    MessageEventHandlers,
    ConversationEventHandlers,
    SyncEventHandler,
    SessionEventHandlers,
    PresenceTracker,
    PresenceAnnouncer,
    { provide: ChatNotifier, useClass: SocketChatNotifier },
    { provide: SessionCloser, useClass: SocketSessionCloser },
  ],
  exports: [WsClientManager, ChatNotifier, SessionCloser],
})
export class GatewayModule {}
