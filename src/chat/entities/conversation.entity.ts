import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../../database/bigint-number.transformer';

export type ConversationKind = 'direct' | 'group';

@Entity({ name: 'conversations' })
export class Conversation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: ConversationKind;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  /** For direct conversations, "<smaller user id>:<larger user id>", unique: one DM per pair. */
  @Column({ name: 'direct_key', type: 'text', nullable: true })
  directKey: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  /** Highest seq assigned so far; bumped in the same transaction as each message insert. */
  @Column({ name: 'last_seq', type: 'bigint', default: 0, transformer: bigintNumber })
  lastSeq: number;

  /** Bumped by a trigger on every membership insert or delete (see MemberListCache); never written by the app. */
  @Column({ name: 'members_version', type: 'bigint', default: 0, transformer: bigintNumber, insert: false, update: false })
  membersVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
