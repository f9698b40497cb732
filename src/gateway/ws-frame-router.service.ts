import { Injectable } from '@nestjs/common';
import type { RawData } from 'ws';
import { DomainError } from '../common/domain-error';
import { INVALID, UNKNOWN } from '../metrics/frame-counters';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { ConversationEventHandlers } from './conversation-event.handlers';
import { EventHandler } from './event-handler';
import { frameShapeProblem } from './frame-shape';
import { MessageEventHandlers } from './message-event.handlers';
import { SyncEventHandler } from './sync-event.handler';
import { SessionEventHandlers } from './session-event.handlers';
import { RelaySocket } from './relay-socket';
import { WsClientManager } from './ws-client-manager.service';
import { WsErrorMapper } from './ws-error.mapper';
import { CLOSE_CODES } from './ws-protocol';

interface FrameObject {
  event?: unknown;
  data?: unknown;
  id?: unknown;
}

/** Frames waiting on one socket beyond this are refused rather than queued without bound. */
const MAX_PENDING_FRAMES = 256;

/**
 * Turns raw frames into handler calls. Every frame gets an answer: either what its handler
 * sends, or an `error` event; nothing a client sends can throw past this point.
 */
@Injectable()
export class WsFrameRouter {
  private readonly handlers: Record<string, EventHandler>;

  constructor(
    messages: MessageEventHandlers,
    conversations: ConversationEventHandlers,
    sync: SyncEventHandler,
    session: SessionEventHandlers,
    private readonly clients: WsClientManager,
    private readonly errors: WsErrorMapper,
    private readonly metrics: RelayMetrics,
  ) {
    this.handlers = { ...messages.handlers, ...conversations.handlers, ...sync.handlers, ...session.handlers } as Record<string, EventHandler>;
  }

  /** Handles frames of one socket in arrival order, so a client's sends are stored in the order sent. */
  accept(socket: RelaySocket, raw: RawData, isBinary: boolean): void {
    // Checked before parsing, so a flood costs a counter per frame, not a JSON.parse.
    const verdict = socket.frameRateLimit.check();
    if (verdict === 'disconnect') {
      socket.close(CLOSE_CODES.policyViolation, 'Rate limit exceeded');
      return;
    }
    if (verdict === 'refuse') {
      this.replyError(socket, new DomainError('rate_limited', 'Too many frames on this socket; slow down and retry'), null);
      return;
    }
    if (socket.pendingCount >= MAX_PENDING_FRAMES) {
      // Parsed only to name the refused frame (its id or clientMsgId), so the client knows which
      // send to retry; the rate limit above has already bounded how often this can happen.
      this.replyError(socket, new DomainError('unavailable', 'Too many frames in flight on this socket; slow down'), refOfRaw(raw, isBinary));
      return;
    }
    socket.pendingCount++;
    socket.pending = socket.pending
      .then(() => this.handle(socket, raw, isBinary))
      .finally(() => socket.pendingCount--);
  }

  private async handle(socket: RelaySocket, raw: RawData, isBinary: boolean): Promise<void> {
    let ref: string | number | null = null;
    let counted = false;
    try {
      const frame = parseFrame(raw, isBinary);
      ref = refOf(frame);
      // Before validation, which recurses through whatever shape it is given.
      const shapeProblem = frameShapeProblem(frame);
      if (shapeProblem) throw new DomainError('bad_frame', shapeProblem);
      if (typeof frame.event !== 'string') throw new DomainError('bad_frame', 'Frame must have a string "event"');
      const handler = Object.hasOwn(this.handlers, frame.event) ? this.handlers[frame.event] : undefined;
      this.metrics.frameReceived(handler ? frame.event : UNKNOWN);
      counted = true;
      if (!handler) throw new DomainError('unknown_event', `Unknown event "${frame.event}"`);
      await handler(socket, frame.data);
    } catch (error) {
      if (!counted) this.metrics.frameReceived(INVALID);
      this.replyError(socket, error, ref);
    }
  }

  private replyError(socket: RelaySocket, error: unknown, ref: string | number | null): void {
    this.clients.reply(socket, 'error', this.errors.toPayload(error, ref));
  }
}

function parseFrame(raw: RawData, isBinary: boolean): FrameObject {
  if (isBinary) throw new DomainError('bad_frame', 'Binary frames are not supported; send JSON text frames');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    throw new DomainError('bad_json', 'Frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DomainError('bad_frame', 'Frame must be a JSON object {event, data}');
  }
  return value;
}

/** refOf for a frame not handled further: null when it does not even parse. */
function refOfRaw(raw: RawData, isBinary: boolean): string | number | null {
  try {
    return refOf(parseFrame(raw, isBinary));
  } catch {
    return null;
  }
}

/** What an error answer points back to: the frame's `id`, else its `data.clientMsgId`. */
function refOf(frame: FrameObject): string | number | null {
  if (typeof frame.id === 'string' || typeof frame.id === 'number') return frame.id;
  const data = frame.data as { clientMsgId?: unknown } | null | undefined;
  return typeof data === 'object' && data !== null && typeof data.clientMsgId === 'string' ? data.clientMsgId : null;
}
