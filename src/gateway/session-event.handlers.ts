import { Injectable } from '@nestjs/common';
import { AccessTokenService } from '../auth/access-token.service';
import { RefreshSocketTokenDto } from '../auth/dto/refresh-socket-token.dto';
import { DomainError } from '../common/domain-error';
import { validatePayload } from '../common/validate-payload';
import { EventHandlerMap } from './event-handler';
import { TokenExpiryService } from './token-expiry.service';
import { WsClientManager } from './ws-client-manager.service';

/** The socket's own session: extending it with a fresh access token before the old one expires. */
@Injectable()
export class SessionEventHandlers {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly expiry: TokenExpiryService,
    private readonly clients: WsClientManager,
  ) {}

  readonly handlers: EventHandlerMap = {
    refresh_token: async (socket, data) => {
      const { accessToken } = await validatePayload(RefreshSocketTokenDto, data);
      const claims = this.tokens.verify(accessToken);
      if (claims.sub !== socket.userId) throw new DomainError('unauthorized', 'The token belongs to another user');
      // Only ever later: an older token still in a client's hands must not cut the socket short.
      if (claims.exp > socket.expiresAt) this.expiry.reschedule(socket, claims.exp);
      this.clients.reply(socket, 'token_refreshed', { expiresAt: new Date(socket.expiresAt * 1000).toISOString() });
    },
  };
}
