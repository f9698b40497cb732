/**
 * The WebSocket protocol in one place: every client->server and server->client event with its
 * payload. Frames are text JSON `{event, data, id?}`; `id` is optional and echoed as `ref` in
 * errors. The README's protocol section mirrors this file.
 */
import type { ErrorCode } from '../common/domain-error';
import type { MessageDto } from '../chat/dto/message.dto';
import type { SendDirectMessageDto, SendMessageDto } from '../chat/dto/send-message.dto';
import type { DeleteMessageDto, EditMessageDto } from '../chat/dto/change-message.dto';
import type { MarkReadDto, SyncDto, TypingDto } from '../chat/dto/conversation-signal.dto';
import type { RefreshSocketTokenDto } from '../auth/dto/refresh-socket-token.dto';

export const WS_PATH = '/entrypoint';

/** The subprotocol to offer alongside the token: `new WebSocket(url, ['access_token', token])`. */
export const ACCESS_TOKEN_PROTOCOL = 'access_token';

export interface ClientEvents {
  send_message: SendMessageDto;
  send_chat_message_to_participant: SendDirectMessageDto;
  edit_message: EditMessageDto;
  delete_message: DeleteMessageDto;
  mark_read: MarkReadDto;
  typing: TypingDto;
  sync: SyncDto;
  /** A fresh access token of the same user, so the socket outlives the one it opened with. */
  refresh_token: RefreshSocketTokenDto;
}

export type ClientEventName = keyof ClientEvents;

export interface ReadyPayload {
  userId: string;
  instanceId: string;
  /** When the server will close this socket (ISO time): the token's expiry. */
  expiresAt: string;
}

export interface MessageAckPayload {
  clientMsgId: string | null;
  id: string;
  conversationId: string;
  seq: number;
  createdAt: string;
  /** True when this answers a retry: the message was stored by an earlier send. */
  duplicate: boolean;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The `id` of the frame that caused it, else its `data.clientMsgId`, else null. */
  ref: string | number | null;
  /** True when sending the same frame again later may succeed. */
  retryable: boolean;
}

export interface ResyncPayload {
  reason: 'relay_reconnected';
}

export interface ReadPayload {
  conversationId: string;
  userId: string;
  /** The member's read cursor: everything up to this seq is read. */
  seq: number;
}

export interface TypingPayload {
  conversationId: string;
  userId: string;
}

export interface PresencePayload {
  userId: string;
  online: boolean;
}

export interface SyncDonePayload {
  /** conversationId -> lastSeq when the catch-up started, for every conversation you are in. */
  conversations: Record<string, number>;
}

export interface TokenRefreshedPayload {
  /** When the server will now close this socket (ISO time): the new token's expiry. */
  expiresAt: string;
}

export interface ServerEvents {
  ready: ReadyPayload;
  /** Live delivery may have missed messages: fetch history after your last seen seq. */
  resync: ResyncPayload;
  /** One log entry (kind message/edit/delete/member_added/member_removed), live or during catch-up. */
  message: MessageDto;
  message_ack: MessageAckPayload;
  read: ReadPayload;
  typing: TypingPayload;
  presence: PresencePayload;
  sync_done: SyncDonePayload;
  token_refreshed: TokenRefreshedPayload;
  error: ErrorPayload;
}

export type ServerEventName = keyof ServerEvents;

export function encodeFrame<E extends ServerEventName>(event: E, data: ServerEvents[E]): string {
  return JSON.stringify({ event, data });
}

/** Close codes the server uses (1009 "message too big" comes from the ws library itself). */
export const CLOSE_CODES = {
  tokenExpired: 4001,
  /** Logged out or banned: every socket of the user, on every instance. */
  sessionEnded: 4003,
  policyViolation: 1008,
  serviceRestart: 1012,
} as const;

/** Reasons sent with CLOSE_CODES.sessionEnded. */
export const SESSION_END_REASONS = {
  logged_out: 'Logged out',
  banned: 'Banned',
} as const;
