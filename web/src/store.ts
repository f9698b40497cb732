import type { Conversation, Entry, User } from './protocol.js';

export type ConnectionStatus = 'offline' | 'connecting' | 'syncing' | 'online' | 'reconnecting';

/** A write not yet acked: resent with the same clientMsgId until it is (delivery contract, rule 5). */
export interface PendingSend {
  clientMsgId: string;
  /** null for the first message to a new direct conversation, addressed by participantId. */
  conversationId: string | null;
  participantId: string | null;
  body: string;
  /** When it last went out on a socket; 0 when it has not gone out on the current one. */
  sentAt: number;
  failed: string | null;
}

/**
 * One conversation's log kept as the delivery contract asks: `cursor` is the highest seq up to
 * which every entry is held; entries beyond cursor + 1 wait until the ones before them arrive.
 */
export class ConversationLog {
  cursor: number;
  lastSeq: number;
  lastReadSeq: number;
  lastActivity: string;
  left = false;
  loadingOlder = false;
  /** What to show, by seq: applied entries and older history. */
  readonly entries = new Map<number, Entry>();
  /** userId -> time (ms) until which "is typing" shows. */
  readonly typing = new Map<string, number>();
  private readonly held = new Map<number, Entry>();
  private readonly seqById = new Map<string, number>();
  /** message id -> the seq its shown state reflects, so an old edit never overwrites a newer one. */
  private readonly stateSeq = new Map<string, number>();
  private oldestLoaded: number;
  private historyExhausted = false;

  constructor(
    public info: Conversation,
    cursor: number,
  ) {
    this.cursor = cursor;
    this.lastSeq = Math.max(info.lastSeq, cursor);
    this.lastReadSeq = info.lastReadSeq;
    this.lastActivity = info.lastMessage?.createdAt ?? info.createdAt;
    this.oldestLoaded = cursor + 1;
  }

  get id(): string {
    return this.info.id;
  }

  get unread(): number {
    return Math.max(0, this.lastSeq - this.lastReadSeq);
  }

  /** Something between cursor and the newest known seq is missing. */
  get behind(): boolean {
    return this.held.size > 0 || this.cursor < this.lastSeq;
  }

  get hasOlder(): boolean {
    return !this.historyExhausted && this.oldestLoaded > 1;
  }

  /** The seq to pass as beforeSeq for the next older page. */
  get olderThan(): number {
    return this.oldestLoaded;
  }

  /** Rule 2: apply each seq exactly once, in order. Returns the entries applied now. */
  accept(entry: Entry): Entry[] {
    if (entry.seq <= this.cursor) {
      this.remember(entry, this.cursor);
      return [];
    }
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    if (entry.seq > this.cursor + 1) {
      this.held.set(entry.seq, entry);
      return [];
    }
    const applied: Entry[] = [];
    for (let next: Entry | undefined = entry; next; next = this.held.get(this.cursor + 1)) {
      this.held.delete(next.seq);
      this.apply(next);
      applied.push(next);
    }
    return applied;
  }

  /** An older page from history. `asOf` is the cursor when it was requested: rows show state at least that new. */
  addHistory(entries: Entry[], asOf: number, exhausted: boolean): void {
    for (const entry of entries) if (entry.seq <= this.cursor) this.remember(entry, asOf);
    if (exhausted) this.historyExhausted = true;
  }

  /** What the conversation list previews. */
  latestMessage(): Entry | null {
    for (let seq = this.cursor; seq >= this.oldestLoaded; seq--) {
      const entry = this.entries.get(seq);
      if (entry?.kind === 'message') return entry;
    }
    return this.info.lastMessage?.kind === 'message' ? this.info.lastMessage : null;
  }

  private remember(entry: Entry, asOf: number): void {
    if (this.entries.has(entry.seq)) return;
    this.entries.set(entry.seq, { ...entry });
    this.seqById.set(entry.id, entry.seq);
    this.stateSeq.set(entry.id, Math.max(asOf, entry.seq));
    this.oldestLoaded = Math.min(this.oldestLoaded, entry.seq);
  }

  private apply(entry: Entry): void {
    this.cursor = entry.seq;
    this.lastActivity = entry.createdAt;
    this.remember(entry, entry.seq);
    if ((entry.kind === 'edit' || entry.kind === 'delete') && entry.targetId) this.applyChange(entry, entry.targetId);
  }

  /** Rule 6: edits and deletes change their target. */
  private applyChange(change: Entry, targetId: string): void {
    const target = this.entries.get(this.seqById.get(targetId) ?? -1);
    if (!target || (this.stateSeq.get(targetId) ?? 0) >= change.seq) return;
    this.stateSeq.set(targetId, change.seq);
    if (change.kind === 'edit') {
      target.body = change.body;
      target.editedAt = change.createdAt;
    } else {
      target.body = null;
      target.deletedAt = change.createdAt;
    }
  }
}

/** Everything the page shows; views subscribe and re-render once per batch of changes. */
export class Store {
  me: User | null = null;
  status: ConnectionStatus = 'offline';
  openId: string | null = null;
  /** A direct conversation not created yet: the first send creates it. */
  draftPeer: User | null = null;
  readonly conversations = new Map<string, ConversationLog>();
  readonly online = new Map<string, boolean>();
  readonly pending = new Map<string, PendingSend>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  add(info: Conversation, cursor: number): ConversationLog {
    const log = new ConversationLog(info, cursor);
    this.conversations.set(info.id, log);
    this.changed();
    return log;
  }

  get open(): ConversationLog | null {
    return this.openId ? (this.conversations.get(this.openId) ?? null) : null;
  }

  /** Most recently active first. */
  sorted(): ConversationLog[] {
    return [...this.conversations.values()].sort((a, b) => b.lastActivity.localeCompare(a.lastActivity));
  }

  directWith(userId: string): ConversationLog | null {
    for (const log of this.conversations.values()) {
      if (log.info.kind === 'direct' && log.info.members.some((member) => member.id === userId)) return log;
    }
    return null;
  }

  nameOf(userId: string): string {
    if (userId === this.me?.id) return 'You';
    for (const log of this.conversations.values()) {
      const member = log.info.members.find((candidate) => candidate.id === userId);
      if (member) return member.displayName;
    }
    return 'Someone';
  }

  titleOf(log: ConversationLog): string {
    if (log.info.kind === 'group') return log.info.name ?? 'Group';
    const peer = log.info.members.find((member) => member.id !== this.me?.id);
    return peer?.displayName ?? 'Direct message';
  }

  reset(): void {
    this.me = null;
    this.status = 'offline';
    this.openId = null;
    this.draftPeer = null;
    this.conversations.clear();
    this.online.clear();
    this.pending.clear();
    this.changed();
  }
}
