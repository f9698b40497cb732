import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { TokenBucket } from '../common/token-bucket';
import type { FrameRateLimit } from './frame-rate-limit';

/** A live, authenticated socket and what the server knows about it. */
export interface RelaySocket extends WebSocket {
  /** The TCP socket under it (the upgrade request's; ws keeps the same one, untyped, as `_socket`). */
  transport: Socket;
  /** The tick in which WsClientManager last wrote to it (see WsClientManager.coalesce). */
  lastWriteTick: number;
  userId: string;
  connectionId: string;
  /** Token expiry, seconds since the epoch. */
  expiresAt: number;
  /** Frames of this socket are handled one after another, so its sends keep their order. */
  pending: Promise<void>;
  pendingCount: number;
  /** Typing indicators allowed on this socket. */
  typingBucket: TokenBucket;
  /** Frames of any kind allowed on this socket. */
  frameRateLimit: FrameRateLimit;
}
