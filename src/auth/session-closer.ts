export type SessionEndReason = 'logged_out' | 'banned';

/**
 * Ends a user's live sessions (their sockets on every instance). A port, like chat's
 * ChatNotifier: auth does not import the gateway; the global GatewayModule provides it.
 */
export abstract class SessionCloser {
  abstract closeSessions(userId: string, reason: SessionEndReason): void;
}
