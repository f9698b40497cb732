/**
 * The slice of Relay's protocol this client speaks. The server's source of truth is
 * src/gateway/ws-protocol.ts (and the README); this copy only has to stay compatible with it,
 * which src/gateway/web-protocol.spec.ts checks against the server's own types.
 */
export type EntryKind = 'message' | 'edit' | 'delete' | 'member_added' | 'member_removed';

/** One entry of a conversation's log, live, in catch-up or in history. */
export interface Entry {
  id: string;
  conversationId: string;
  seq: number;
  kind: EntryKind;
  senderId: string;
  body: string | null;
  targetId: string | null;
  subjectUserId: string | null;
  clientMsgId: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
}

export interface Member {
  id: string;
  displayName: string;
}

export interface Conversation {
  id: string;
  kind: 'direct' | 'group';
  name: string | null;
  members: Member[];
  lastSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  lastMessage: Entry | null;
  createdAt: string;
}

export interface MessagePage {
  messages: Entry[];
  nextCursor: number | null;
}

/** What `POST /auth/refresh` answers; login answers the same plus the user. */
export interface TokenPair {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface LoginResult extends TokenPair {
  user: User;
}

export interface MessageAck {
  clientMsgId: string | null;
  id: string;
  conversationId: string;
  seq: number;
  createdAt: string;
  duplicate: boolean;
}

export interface ServerEvents {
  ready: { userId: string; instanceId: string; expiresAt: string };
  message: Entry;
  message_ack: MessageAck;
  read: { conversationId: string; userId: string; seq: number };
  typing: { conversationId: string; userId: string };
  presence: { userId: string; online: boolean };
  sync_done: { conversations: Record<string, number> };
  resync: { reason: string };
  token_refreshed: { expiresAt: string };
  error: { code: string; message: string; ref: string | number | null; retryable: boolean };
}

export type ServerFrame = { [E in keyof ServerEvents]: { event: E; data: ServerEvents[E] } }[keyof ServerEvents];

export const WS_PATH = '/entrypoint';

/** Close codes with a meaning for the client (README "Close codes"). */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** Logged out on another device, or banned: reconnecting with the same token is pointless. */
export const CLOSE_SESSION_ENDED = 4003;
export const CLOSE_SERVICE_RESTART = 1012;
