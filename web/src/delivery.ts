import { Api, ApiError } from './api.js';
import type { Entry, MessageAck, ServerEvents, ServerFrame } from './protocol.js';
import type { Socket } from './socket.js';
import { ConversationLog, PendingSend, Store } from './store.js';

const ACK_TIMEOUT_MS = 10_000;
/** How long an out-of-order entry may wait for the ones before it before we fetch them. */
const GAP_GRACE_MS = 1_000;
/** The server allows one typing event per 2 s per socket after a burst of 3. */
const TYPING_EVERY_MS = 2_500;
const TYPING_SHOWN_MS = 4_000;

export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `web-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The README's delivery contract, client side: sync with per-conversation cursors on every
 * connect and on `resync` (rules 1, 4), apply by seq exactly once (2), fill gaps over REST (3),
 * resend unacked writes with the same clientMsgId (5), apply edits and deletes to their target (6).
 */
export class Delivery {
  private syncing = false;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly filling = new Set<string>();
  /** Conversations we just heard of: their entries wait here while we fetch the conversation. */
  private readonly discovering = new Map<string, Entry[]>();
  private readonly lastTyping = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly api: Api,
    private readonly socket: Socket,
  ) {
    socket.onReady = () => this.connected();
    socket.onFrame = (frame) => this.onFrame(frame);
    socket.onClosed = () => this.disconnected();
    socket.onStatus = (status) => this.setStatus(status);
    setInterval(() => this.resendStale(), 2_000);
  }

  send(target: { conversationId: string } | { participantId: string }, body: string): void {
    const pending: PendingSend = {
      clientMsgId: newClientMsgId(),
      conversationId: 'conversationId' in target ? target.conversationId : null,
      participantId: 'participantId' in target ? target.participantId : null,
      body,
      sentAt: 0,
      failed: null,
    };
    this.store.pending.set(pending.clientMsgId, pending);
    this.transmit(pending);
    this.store.changed();
  }

  /** Forgets per-session state on logout, so the next user starts clean. */
  reset(): void {
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.syncing = false;
    this.filling.clear();
    this.discovering.clear();
    this.lastTyping.clear();
  }

  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(conversationId) ?? 0) < TYPING_EVERY_MS) return;
    if (this.socket.send('typing', { conversationId })) this.lastTyping.set(conversationId, now);
  }

  markRead(log: ConversationLog): void {
    if (log.cursor <= log.lastReadSeq) return;
    log.lastReadSeq = log.cursor;
    this.socket.send('mark_read', { conversationId: log.id, seq: log.cursor });
    this.store.changed();
  }

  /** Presence events are live only, so after each (re)connect ask for the current state. */
  async refreshPresence(logs: ConversationLog[]): Promise<void> {
    const ids = new Set(logs.flatMap((log) => log.info.members.map((member) => member.id)));
    ids.delete(this.store.me?.id ?? '');
    await Promise.all(
      [...ids].map(async (id) => {
        const presence = await this.api.presence(id).catch(() => null);
        if (presence) this.store.online.set(id, presence.online);
      }),
    );
    this.store.changed();
  }

  private connected(): void {
    this.sync();
    for (const pending of this.store.pending.values()) this.transmit(pending);
  }

  private disconnected(): void {
    this.syncing = false;
    for (const pending of this.store.pending.values()) pending.sentAt = 0;
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.event) {
      case 'resync':
        return this.sync();
      case 'sync_done':
        return this.syncDone(frame.data);
      case 'message':
        return this.ingest(frame.data);
      case 'message_ack':
        return this.acked(frame.data);
      case 'read':
        return this.read(frame.data);
      case 'typing':
        return this.someoneTyping(frame.data);
      case 'presence':
        this.store.online.set(frame.data.userId, frame.data.online);
        return this.store.changed();
      case 'error':
        return this.failed(frame.data);
    }
  }

  private sync(): void {
    const cursors: Record<string, number> = {};
    for (const log of this.store.conversations.values()) if (!log.left) cursors[log.id] = log.cursor;
    this.syncing = true;
    this.setStatus('syncing');
    this.socket.send('sync', { cursors });
  }

  private syncDone({ conversations }: ServerEvents['sync_done']): void {
    this.syncing = false;
    this.socket.healthy();
    this.setStatus('online');
    for (const [id, lastSeq] of Object.entries(conversations)) {
      const log = this.store.conversations.get(id);
      if (!log) {
        void this.discover(id, []);
        continue;
      }
      log.lastSeq = Math.max(log.lastSeq, lastSeq);
      if (log.behind) void this.fillGap(log);
    }
    if (this.store.open) this.markRead(this.store.open);
    void this.refreshPresence([...this.store.conversations.values()]);
  }

  private ingest(entry: Entry): void {
    const log = this.store.conversations.get(entry.conversationId);
    if (!log) return void this.discover(entry.conversationId, [entry]);
    if (entry.senderId === this.store.me?.id && entry.clientMsgId) this.store.pending.delete(entry.clientMsgId);
    for (const applied of log.accept(entry)) this.applied(log, applied);
    if (log.behind && !this.syncing) this.scheduleGapCheck();
    this.store.changed();
  }

  private applied(log: ConversationLog, entry: Entry): void {
    log.typing.delete(entry.senderId);
    if (entry.kind === 'member_removed' && entry.subjectUserId === this.store.me?.id) log.left = true;
    else if (entry.kind === 'member_added' || entry.kind === 'member_removed') void this.refreshMembers(log);
  }

  /** The sending socket gets an ack instead of the message: it is the entry, with the body we sent. */
  private acked(ack: MessageAck): void {
    const pending = ack.clientMsgId ? this.store.pending.get(ack.clientMsgId) : undefined;
    if (!pending) return;
    this.store.pending.delete(pending.clientMsgId);
    const { duplicate: _duplicate, ...fields } = ack;
    this.ingest({
      ...fields,
      kind: 'message',
      senderId: this.store.me?.id ?? '',
      body: pending.body,
      targetId: null,
      subjectUserId: null,
      editedAt: null,
      deletedAt: null,
    });
  }

  private read({ conversationId, userId, seq }: ServerEvents['read']): void {
    const log = this.store.conversations.get(conversationId);
    if (!log || userId !== this.store.me?.id) return;
    log.lastReadSeq = Math.max(log.lastReadSeq, seq);
    this.store.changed();
  }

  private someoneTyping({ conversationId, userId }: ServerEvents['typing']): void {
    const log = this.store.conversations.get(conversationId);
    if (!log) return;
    log.typing.set(userId, Date.now() + TYPING_SHOWN_MS);
    this.store.changed();
    setTimeout(() => this.store.changed(), TYPING_SHOWN_MS + 100);
  }

  private failed(error: ServerEvents['error']): void {
    const retrySoon = (pending: PendingSend) => (pending.sentAt = Date.now() - ACK_TIMEOUT_MS + 1_000);
    if (error.ref === null && error.retryable) {
      // Refused before it was read (frame budget or queue full): we cannot tell which write, so retry all in flight.
      for (const pending of this.store.pending.values()) if (pending.sentAt > 0) retrySoon(pending);
      return;
    }
    const pending = typeof error.ref === 'string' ? this.store.pending.get(error.ref) : undefined;
    if (!pending) return;
    if (error.retryable) retrySoon(pending);
    else pending.failed = error.message;
    this.store.changed();
  }

  /** Rule 3: a seq beyond cursor + 1 whose predecessors do not follow means a lost live frame. */
  private scheduleGapCheck(): void {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.syncing) return;
      for (const log of this.store.conversations.values()) if (log.behind) void this.fillGap(log);
    }, GAP_GRACE_MS);
  }

  private async fillGap(log: ConversationLog): Promise<void> {
    if (this.filling.has(log.id)) return;
    this.filling.add(log.id);
    try {
      while (log.behind) {
        const page = await this.api.messagesAfter(log.id, log.cursor);
        for (const entry of page.messages) this.ingest(entry);
        if (page.nextCursor === null || page.messages.length === 0) break;
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'conversation_not_found') log.left = true;
      else this.scheduleGapCheck();
    } finally {
      this.filling.delete(log.id);
      this.store.changed();
    }
  }

  /** A conversation we were not in when the page loaded: fetch it, then apply what waited. */
  private async discover(id: string, entries: Entry[]): Promise<void> {
    const waiting = this.discovering.get(id);
    if (waiting) return void waiting.push(...entries);
    this.discovering.set(id, [...entries]);
    try {
      const info = await this.api.conversation(id);
      const buffered = (this.discovering.get(id) ?? []).sort((a, b) => a.seq - b.seq);
      this.discovering.delete(id);
      // Like `sync` for a conversation it was not told about, start from our read cursor.
      const log = this.store.add(info, Math.min(info.lastReadSeq, (buffered[0]?.seq ?? Infinity) - 1));
      const peer = this.store.draftPeer;
      if (peer && info.kind === 'direct' && info.members.some((member) => member.id === peer.id)) {
        this.store.draftPeer = null;
        this.store.openId = id;
      }
      for (const entry of buffered) this.ingest(entry);
      if (log.behind && !this.syncing) void this.fillGap(log);
      await this.refreshPresence([log]);
    } catch {
      this.discovering.delete(id);
    }
  }

  private async refreshMembers(log: ConversationLog): Promise<void> {
    try {
      log.info = await this.api.conversation(log.id);
      this.store.changed();
      await this.refreshPresence([log]);
    } catch {
      // removed meanwhile: the member_removed entry says so
    }
  }

  private resendStale(): void {
    const now = Date.now();
    for (const pending of this.store.pending.values()) {
      if (!pending.failed && pending.sentAt > 0 && now - pending.sentAt >= ACK_TIMEOUT_MS) this.transmit(pending);
    }
  }

  private transmit(pending: PendingSend): void {
    if (pending.failed) return;
    const sent = pending.conversationId
      ? this.socket.send('send_message', { conversationId: pending.conversationId, body: pending.body, clientMsgId: pending.clientMsgId })
      : this.socket.send('send_chat_message_to_participant', {
          participantId: pending.participantId,
          message: pending.body,
          clientMsgId: pending.clientMsgId,
        });
    if (sent) pending.sentAt = Date.now();
  }

  private setStatus(status: Store['status']): void {
    this.store.status = status;
    this.store.changed();
  }
}
