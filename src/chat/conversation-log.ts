import { EntityManager } from 'typeorm';
import { conversationNotFound } from './conversations.service';
import { Message, MessageKind } from './entities/message.entity';

export interface LogEntry {
  conversationId: string;
  /** Must be a member: the append fails with conversation_not_found otherwise. */
  actorId: string;
  kind: MessageKind;
  body?: string | null;
  targetId?: string | null;
  subjectUserId?: string | null;
  clientMsgId?: string | null;
}

/**
 * Appends one entry to a conversation's log inside the caller's transaction. The row lock
 * taken by the seq bump serialises writers per conversation, which is what makes seq
 * gap-free (a rolled-back insert rolls back its seq too) and what orders a send against a
 * concurrent membership change.
 */
export async function appendToLog(em: EntityManager, entry: LogEntry): Promise<Message> {
  const [rows]: [{ last_seq: string }[], number] = await em.query(
    `UPDATE conversations SET last_seq = last_seq + 1
     WHERE id = $1 AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2)
     RETURNING last_seq`,
    [entry.conversationId, entry.actorId],
  );
  if (rows.length === 0) throw conversationNotFound();
  return em.save(
    em.create(Message, {
      conversationId: entry.conversationId,
      seq: Number(rows[0].last_seq),
      kind: entry.kind,
      senderId: entry.actorId,
      body: entry.body ?? null,
      targetId: entry.targetId ?? null,
      subjectUserId: entry.subjectUserId ?? null,
      clientMsgId: entry.clientMsgId ?? null,
    }),
  );
}

export interface NewMessage {
  conversationId: string;
  senderId: string;
  body: string;
  clientMsgId?: string | null;
}

export async function memberIdsOf(em: EntityManager, conversationId: string): Promise<string[]> {
  const rows: { user_id: string }[] = await em.query(`SELECT user_id FROM conversation_members WHERE conversation_id = $1`, [
    conversationId,
  ]);
  return rows.map((row) => row.user_id);
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: string;
  kind: Message['kind'];
  sender_id: string;
  body: string | null;
  target_id: string | null;
  subject_user_id: string | null;
  client_msg_id: string | null;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

export function fromRow(row: MessageRow): Message {
  return Object.assign(new Message(), {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    kind: row.kind,
    senderId: row.sender_id,
    body: row.body,
    targetId: row.target_id,
    subjectUserId: row.subject_user_id,
    clientMsgId: row.client_msg_id,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
  });
}
