/** A conversation's member ids as of one `members_version`. */
interface CachedMembers {
  version: number;
  /** Shared by every send that uses it: never mutated. */
  memberIds: readonly string[];
}

/** Conversations remembered at most; the least recently used is forgotten first. */
const MAX_CONVERSATIONS = 20_000;

/**
 * Member lists of recently active conversations, so a send does not read the members back
 * after every commit. Never stale: a send's own statement returns the conversation's
 * `members_version` read under the row lock that orders it against membership changes, and an
 * entry is used only when its version is that one. Each instance keeps its own; Postgres stays
 * the source of truth.
 */
export class MemberListCache {
  private readonly entries = new Map<string, CachedMembers>();

  constructor(private readonly maxConversations = MAX_CONVERSATIONS) {}

  /** The member ids at `version`, or undefined when not known at exactly that version. */
  get(conversationId: string, version: number): readonly string[] | undefined {
    const entry = this.entries.get(conversationId);
    if (!entry || entry.version !== version) return undefined;
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(conversationId);
    this.entries.set(conversationId, entry);
    return entry.memberIds;
  }

  set(conversationId: string, version: number, memberIds: readonly string[]): void {
    const known = this.entries.get(conversationId);
    // Two reads can race; the newer membership wins.
    if (known && known.version > version) return;
    this.entries.delete(conversationId);
    this.entries.set(conversationId, { version, memberIds });
    if (this.entries.size > this.maxConversations) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}
