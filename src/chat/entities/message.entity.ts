import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint-number.transformer';

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

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId: string;

  @Column({ type: 'text' })
  body: string;

  /** The sender's idempotency key; unique per sender when present. */
  @Column({ name: 'client_msg_id', type: 'text', nullable: true })
  clientMsgId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
