import { Injectable } from '@nestjs/common';
import { SessionCloser, SessionEndReason } from '../auth/session-closer';
import { WsClientManager } from './ws-client-manager.service';
import { CLOSE_CODES, SESSION_END_REASONS } from './ws-protocol';

/** Closes the user's sockets on this instance and, through the bus, on every other one. */
@Injectable()
export class SocketSessionCloser extends SessionCloser {
  constructor(private readonly clients: WsClientManager) {
    super();
  }

  closeSessions(userId: string, reason: SessionEndReason): void {
    this.clients.disconnectUser(userId, CLOSE_CODES.sessionEnded, SESSION_END_REASONS[reason]);
  }
}
