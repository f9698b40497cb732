import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { fromRow, insertMessage, memberIdsOf, MessageRow, NewMessage } from './conversation-log';
import { Message } from './entities/message.entity';

/** A stored send and who should hear about it (members read after the commit). */
export interface StoredSend {
  message: Message;
  memberIds: string[];
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

  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
    if (batch.length === 1) return this.writeOne(batch[0]);
    let stored: (Message | null)[];
    try {
      stored = await insertBatch(this.db, batch.map((pending) => pending.message));
    } catch (error) {
      this.logger.debug(`batch of ${batch.length} failed (${(error as Error).message}); writing one by one`);
      for (const pending of batch) await this.writeOne(pending);
      return;
    }
    // Committed: from here on every send of the batch is acked, whatever happens next.
    const conversationIds = [...new Set(stored.flatMap((message) => (message ? [message.conversationId] : [])))];
    let members: Map<string, string[]>;
    try {
      members = await membersOf(this.db, conversationIds);
    } catch (error) {
      this.logger.warn(`member read after a committed batch failed: ${(error as Error).message}`);
      members = new Map();
    }
    batch.forEach((pending, index) => {
      const message = stored[index];
      pending.resolve(message ? { message, memberIds: members.get(message.conversationId) ?? [] } : null);
    });
  }

  private async writeOne(pending: Pending): Promise<void> {
    let message: Message | null;
    try {
      message = await insertMessage(this.db.manager, pending.message);
    } catch (error) {
      pending.reject(error);
      return;
    }
    if (!message) return pending.resolve(null);
    // Committed: a failed member read must not turn an acked send into an error.
    const memberIds = await memberIdsOf(this.db.manager, message.conversationId).catch((error: Error) => {
      this.logger.warn(`member read after a committed send failed: ${error.message}`);
      return [];
    });
    pending.resolve({ message, memberIds });
  }
}

/**
 * One statement for many sends. Conversation rows are locked in id order (so concurrent
 * batches cannot deadlock), each conversation's counter moves by its number of allowed sends,
 * and the sends get consecutive seqs in arrival order. Returns, per input, its stored message
 * or null when its sender is not a member.
 */
export async function insertBatch(db: DataSource, messages: NewMessage[]): Promise<(Message | null)[]> {
  const rows: MessageRow[] = await db.query(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY
         AS t(conversation_id, sender_id, body, client_msg_id, ord)
     ), allowed AS (
       SELECT i.* FROM input i
       WHERE EXISTS (SELECT 1 FROM conversation_members m WHERE m.conversation_id = i.conversation_id AND m.user_id = i.sender_id)
     ), counts AS (
       SELECT conversation_id, count(*) AS n FROM allowed GROUP BY conversation_id
     ), locked AS (
       SELECT c.id FROM conversations c WHERE c.id IN (SELECT conversation_id FROM counts) ORDER BY c.id FOR UPDATE
     ), bumped AS (
       UPDATE conversations c SET last_seq = c.last_seq + counts.n
       FROM counts JOIN locked ON locked.id = counts.conversation_id
       WHERE c.id = counts.conversation_id
       RETURNING c.id, c.last_seq - counts.n AS first_seq
     ), numbered AS (
       SELECT a.*, b.first_seq + row_number() OVER (PARTITION BY a.conversation_id ORDER BY a.ord) AS seq
       FROM allowed a JOIN bumped b ON b.id = a.conversation_id
     )
     INSERT INTO messages (conversation_id, seq, kind, sender_id, body, client_msg_id)
     SELECT conversation_id, seq, 'message', sender_id, body, client_msg_id FROM numbered ORDER BY ord
     RETURNING id, conversation_id, seq, kind, sender_id, body, target_id, subject_user_id, client_msg_id, created_at, edited_at, deleted_at`,
    [
      messages.map((message) => message.conversationId),
      messages.map((message) => message.senderId),
      messages.map((message) => message.body),
      messages.map((message) => message.clientMsgId ?? null),
    ],
  );
  return matchToInputs(messages, rows.map(fromRow));
}

async function membersOf(db: DataSource, conversationIds: string[]): Promise<Map<string, string[]>> {
  const rows: { conversation_id: string; user_id: string }[] = await db.query(
    `SELECT conversation_id, user_id FROM conversation_members WHERE conversation_id = ANY($1::uuid[])`,
    [conversationIds],
  );
  const members = new Map<string, string[]>();
  for (const row of rows) {
    const list = members.get(row.conversation_id);
    if (list) list.push(row.user_id);
    else members.set(row.conversation_id, [row.user_id]);
  }
  return members;
}

/**
 * RETURNING has no input position, so rows are matched back per conversation: its allowed
 * inputs in arrival order took consecutive seqs. Whether an input was allowed depends only on
 * (conversation, sender), so a sender with no row in a conversation was not a member there.
 */
export function matchToInputs(inputs: NewMessage[], stored: Message[]): (Message | null)[] {
  const byConversation = new Map<string, Message[]>();
  for (const message of stored) {
    const list = byConversation.get(message.conversationId);
    if (list) list.push(message);
    else byConversation.set(message.conversationId, [message]);
  }
  for (const list of byConversation.values()) list.sort((a, b) => a.seq - b.seq);
  const next = new Map<string, number>();
  return inputs.map((input) => {
    const list = byConversation.get(input.conversationId) ?? [];
    if (!list.some((message) => message.senderId === input.senderId)) return null;
    const index = next.get(input.conversationId) ?? 0;
    next.set(input.conversationId, index + 1);
    const message = list[index];
    if (!message || message.senderId !== input.senderId) throw new Error('batch results do not match their inputs');
    return message;
  });
}
