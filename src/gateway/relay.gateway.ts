import { Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';
import { FrameRateLimit } from './frame-rate-limit';
import { HeartbeatService } from './heartbeat.service';
import { PresenceTracker } from './presence-tracker.service';
import { RelaySocket } from './relay-socket';
import { TokenExpiryService } from './token-expiry.service';
import { WsClientManager } from './ws-client-manager.service';
import { WsFrameRouter } from './ws-frame-router.service';
import { WsHandshakeService } from './ws-handshake.service';
import { CLOSE_CODES, WS_PATH } from './ws-protocol';
import { TokenBucket } from '../common/token-bucket';

/** A typing indicator every 2 s per socket is plenty; a short burst covers switching conversations. */
const TYPING_BURST = 3;
const TYPING_PER_SECOND = 0.5;

/** The WebSocket edge: turns an accepted upgrade into a registered RelaySocket and back. */
@WebSocketGateway({ path: WS_PATH })
export class RelayGateway implements OnGatewayConnection {
  private readonly logger = new Logger(RelayGateway.name);

  constructor(
    private readonly handshake: WsHandshakeService,
    private readonly clients: WsClientManager,
    private readonly expiry: TokenExpiryService,
    private readonly heartbeat: HeartbeatService,
    private readonly router: WsFrameRouter,
    private readonly presence: PresenceTracker,
    private readonly config: AppConfig,
  ) {}

  handleConnection(client: RelaySocket, request: IncomingMessage): void {
    const claims = this.handshake.claimsOf(request);
    if (!claims) {
      // verifyClient always sets claims; this guards against a server created without it.
      client.close(CLOSE_CODES.policyViolation, 'Unauthenticated');
      return;
    }
    const socket = Object.assign(client, {
      transport: request.socket,
      lastWriteTick: 0,
      userId: claims.sub,
      connectionId: randomUUID(),
      expiresAt: claims.exp,
      pending: Promise.resolve(),
      pendingCount: 0,
      typingBucket: new TokenBucket(TYPING_BURST, TYPING_PER_SECOND),
      frameRateLimit: new FrameRateLimit(this.config.wsRateBurst, this.config.wsRatePerSecond),
    });
    this.clients.register(socket);
    this.expiry.track(socket);
    this.heartbeat.track(socket);
    this.presence.deviceConnected(socket.userId);
    socket.on('message', (raw, isBinary) => this.router.accept(socket, raw, isBinary));
    socket.on('close', () => {
      this.clients.unregister(socket);
      this.expiry.untrack(socket);
      this.heartbeat.untrack(socket);
      this.presence.deviceDisconnected(socket.userId);
    });
    socket.on('error', (error) => this.logger.debug(`socket ${socket.connectionId}: ${error.message}`));
    this.clients.reply(socket, 'ready', {
      userId: socket.userId,
      instanceId: this.config.instanceId,
      expiresAt: new Date(socket.expiresAt * 1000).toISOString(),
    });
  }
}
