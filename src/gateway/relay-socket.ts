import type { WebSocket } from 'ws';
import type { TokenBucket } from '../common/token-bucket';
import type { FrameRateLimit } from './frame-rate-limit';

/** A live, authenticated socket and what the server knows about it. */
export interface RelaySocket extends WebSocket {
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
