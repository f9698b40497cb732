import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint-number.transformer';

/** What a row of the conversation log records. Every kind takes the next seq. */
export type MessageKind = 'message' | 'edit' | 'delete' | 'member_added' | 'member_removed';

/**
 * One entry of a conversation's log: a message, or an event about one (edit, delete) or about
 * membership. Message rows also carry their current state (edited body, deletedAt).
 */
@Entity({ name: 'messages' })
export class Message {
  /** bigint identity, exposed as a string so it never loses precision in JSON. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  /** Gap-free per conversation: 1, 2, 3, ... */
  @Column({ type: 'bigint', transformer: bigintNumber })
  seq: number;

  @Column({ type: 'text', default: 'message' })
  kind: MessageKind;

  /** The author of a message; the actor of an event. */
  @Column({ name: 'sender_id', type: 'uuid' })
  senderId: string;

  /** Message text (current, after edits); an edit's new text; null when deleted or for membership events. */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  /** For edit/delete: the message row it changes. */
  @Column({ name: 'target_id', type: 'bigint', nullable: true })
  targetId: string | null;

  /** For member_added/member_removed: whose membership changed. */
  @Column({ name: 'subject_user_id', type: 'uuid', nullable: true })
  subjectUserId: string | null;

  /** The sender's idempotency key; unique per sender when present. */
  @Column({ name: 'client_msg_id', type: 'text', nullable: true })
  clientMsgId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
