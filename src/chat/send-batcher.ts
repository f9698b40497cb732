import { Injectable, Logger } from '@nestjs/common';
import { StatementPool } from '../database/statement-pool';
import { NewMessage } from './conversation-log';
import { Message } from './entities/message.entity';
import { MemberListCache } from './member-list-cache';
import { insertBatch, insertMessage, readMembers, StoredMessages } from './send-statements';

/** A stored send and who should hear about it (the members at its seq, or read after the commit). */
export interface StoredSend {
  message: Message;
  memberIds: readonly string[];
}

/** A send waiting for its batch: resolves with what was stored, or null when the sender is not a member. */
interface Pending {
  message: NewMessage;
  resolve: (stored: StoredSend | null) => void;
  reject: (error: unknown) => void;
}

/** Sends per statement at most; more wait for the next batch. */
const MAX_BATCH = 500;
/** Batches in flight at once; further sends queue and so make the next batch bigger. */
const MAX_IN_FLIGHT = 4;

/**
 * Group commit for sends. Sends that arrive while earlier ones are being written are stored
 * together: one statement and one commit (one WAL flush) for the whole batch instead of one
 * each. Under light load a batch is a single send, flushed on the next turn of the event loop,
 * so nothing waits on a timer. Seqs stay gap-free and in arrival order per conversation, and
 * each send still resolves only after its batch has committed.
 *
 * If a batch statement fails (a repeated clientMsgId, a lost connection), its sends are
 * retried one by one, so one bad send never fails the others.
 */
@Injectable()
export class SendBatcher {
  private readonly logger = new Logger(SendBatcher.name);
  private queue: Pending[] = [];
  private inFlight = 0;
  private flushScheduled = false;
  private readonly memberLists = new MemberListCache();

  constructor(private readonly db: StatementPool) {}

  store(message: NewMessage): Promise<StoredSend | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 0) return;
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.scheduleFlush();
      });
      this.scheduleFlush();
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    let stored: StoredMessages;
    try {
      stored =
        batch.length === 1 ? await insertMessage(this.db, batch[0].message) : await insertBatch(this.db, batch.map((pending) => pending.message));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      this.logger.debug(`batch of ${batch.length} failed (${(error as Error).message}); writing one by one`);
      for (const pending of batch) await this.write([pending]);
      return;
    }
    // Committed: from here on every send of the batch is acked, whatever happens next.
    const members = await this.membersAt(stored.membersVersions);
    batch.forEach((pending, index) => {
      const message = stored.messages[index];
      pending.resolve(message ? { message, memberIds: members.get(message.conversationId) ?? [] } : null);
    });
  }

  /**
   * Members of each conversation at the given members_version: from the cache when it has that
   * version, else read (all misses in one query). A failed read must not turn acked sends into
   * errors: those sends then reach no one live, and their recipients catch up on their next sync.
   */
  private async membersAt(versions: Map<string, number>): Promise<Map<string, readonly string[]>> {
    const members = new Map<string, readonly string[]>();
    const missing: string[] = [];
    for (const [conversationId, version] of versions) {
      const cached = this.memberLists.get(conversationId, version);
      if (cached) members.set(conversationId, cached);
      else missing.push(conversationId);
    }
    if (missing.length === 0) return members;
    try {
      for (const [conversationId, read] of await readMembers(this.db, missing)) {
        this.memberLists.set(conversationId, read.version, read.memberIds);
        members.set(conversationId, read.memberIds);
      }
    } catch (error) {
      this.logger.warn(`member read after a committed send failed: ${(error as Error).message}`);
    }
    return members;
  }
}
