import { PreparedStatement, StatementPool } from '../database/statement-pool';
import { fromRow, MessageRow, NewMessage } from './conversation-log';
import { Message } from './entities/message.entity';

/** What a send statement stored, with each touched conversation's `members_version` under its row lock. */
export interface StoredMessages {
  /** Per input, in input order: the stored message, or null when its sender is not a member. */
  messages: (Message | null)[];
  membersVersions: Map<string, number>;
}

type StoredRow = MessageRow & { members_version: string };

const RETURNED_COLUMNS =
  'i.id, i.conversation_id, i.seq, i.kind, i.sender_id, i.body, i.target_id, i.subject_user_id, i.client_msg_id, i.created_at, i.edited_at, i.deleted_at';

/**
 * A lone send: the seq bump (with the membership check) and the insert in ONE autocommit
 * statement, so a send costs one round trip and one commit instead of a transaction's five.
 * Atomic all the same: if the insert fails (a clientMsgId seen before), the bump is undone
 * with it. Prepared: its plan is the same for every send (point lookups by key).
 */
const INSERT_MESSAGE: PreparedStatement = {
  name: 'relay_insert_message',
  text: `WITH bumped AS (
       UPDATE conversations SET last_seq = last_seq + 1
       WHERE id = $1 AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2)
       RETURNING id, last_seq, members_version
     ), inserted AS (
       INSERT INTO messages (conversation_id, seq, kind, sender_id, body, client_msg_id)
       SELECT id, last_seq, 'message', $2, $3, $4 FROM bumped
       RETURNING *
     )
     SELECT ${RETURNED_COLUMNS}, b.members_version FROM inserted i JOIN bumped b ON b.id = i.conversation_id`,
};

export async function insertMessage(db: StatementPool, message: NewMessage): Promise<StoredMessages> {
  const rows = await db.prepared<StoredRow>(INSERT_MESSAGE, [message.conversationId, message.senderId, message.body, message.clientMsgId ?? null]);
  return { messages: [rows.length === 0 ? null : fromRow(rows[0])], membersVersions: versionsOf(rows) };
}

/**
 * Batches smaller than this go through `store_messages`; larger ones through BATCH_STATEMENT.
 * Postgres plans the statement on every call (about 330 µs), which dominates small batches; the
 * function keeps its plans but pays per row, and in the persist bench (batches of about 50) it
 * cost 10-15 % more Postgres CPU per message. Measured crossover: 32-48 (docs/PERFORMANCE.md).
 */
export const FUNCTION_BATCH_LIMIT = 32;

/**
 * Many sends in one call of `store_messages` (migration 1764720000000), same rules as
 * BATCH_STATEMENT. Prepared: the call's plan is trivial.
 */
const STORE_MESSAGES: PreparedStatement = {
  name: 'relay_store_messages',
  text: `SELECT * FROM store_messages($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
};

/**
 * Many sends in one statement. Conversation rows are locked in id order (so concurrent
 * batches cannot deadlock), each conversation's counter moves by its number of allowed sends,
 * and the sends get consecutive seqs in arrival order. Not prepared: in the persist bench, the
 * generic plan Postgres settles on for it cost more Postgres CPU per message than planning
 * each batch (PERFORMANCE.md, 2026-12-02).
 */
const BATCH_STATEMENT = `WITH input AS (
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
       RETURNING c.id, c.last_seq - counts.n AS first_seq, c.members_version
     ), numbered AS (
       SELECT a.*, b.first_seq + row_number() OVER (PARTITION BY a.conversation_id ORDER BY a.ord) AS seq
       FROM allowed a JOIN bumped b ON b.id = a.conversation_id
     ), inserted AS (
       INSERT INTO messages (conversation_id, seq, kind, sender_id, body, client_msg_id)
       SELECT conversation_id, seq, 'message', sender_id, body, client_msg_id FROM numbered ORDER BY ord
       RETURNING *
     )
     SELECT ${RETURNED_COLUMNS}, b.members_version FROM inserted i JOIN bumped b ON b.id = i.conversation_id`;

/** Several sends stored at once: all-or-nothing, one commit. */
export async function insertBatch(db: StatementPool, messages: NewMessage[]): Promise<StoredMessages> {
  const values = [
    messages.map((message) => message.conversationId),
    messages.map((message) => message.senderId),
    messages.map((message) => message.body),
    messages.map((message) => message.clientMsgId ?? null),
  ];
  const rows =
    messages.length < FUNCTION_BATCH_LIMIT ? await db.prepared<StoredRow>(STORE_MESSAGES, values) : await db.unprepared<StoredRow>(BATCH_STATEMENT, values);
  return { messages: matchToInputs(messages, rows.map(fromRow)), membersVersions: versionsOf(rows) };
}

const READ_MEMBERS: PreparedStatement = {
  name: 'relay_read_members',
  text: `SELECT c.id, c.members_version, m.user_id
     FROM conversations c LEFT JOIN conversation_members m ON m.conversation_id = c.id
     WHERE c.id = ANY($1::uuid[])`,
};

/** Current member ids of each conversation, with the `members_version` they are at (one snapshot). */
export async function readMembers(db: StatementPool, conversationIds: string[]): Promise<Map<string, { version: number; memberIds: string[] }>> {
  const rows = await db.prepared<{ id: string; members_version: string; user_id: string | null }>(READ_MEMBERS, [conversationIds]);
  const members = new Map<string, { version: number; memberIds: string[] }>();
  for (const row of rows) {
    let entry = members.get(row.id);
    if (!entry) members.set(row.id, (entry = { version: Number(row.members_version), memberIds: [] }));
    if (row.user_id) entry.memberIds.push(row.user_id);
  }
  return members;
}

function versionsOf(rows: StoredRow[]): Map<string, number> {
  return new Map(rows.map((row) => [row.conversation_id, Number(row.members_version)]));
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
