import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint-number.transformer';

@Entity({ name: 'conversation_members' })
export class ConversationMember {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text', default: 'member' })
  role: 'owner' | 'member';

  @Column({ name: 'last_read_seq', type: 'bigint', default: 0, transformer: bigintNumber })
  lastReadSeq: number;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt: Date;
}
