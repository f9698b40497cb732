import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConversationKind } from '../entities/conversation.entity';
import { MessageDto } from './message.dto';

export class ConversationMemberDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Bob' })
  displayName: string;
}

export class ConversationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['direct', 'group'] })
  kind: ConversationKind;

  @ApiPropertyOptional({ example: 'Weekend trip', nullable: true, description: 'null for direct conversations' })
  name: string | null;

  @ApiProperty({ type: [ConversationMemberDto] })
  members: ConversationMemberDto[];

  @ApiProperty({ example: 42, description: 'seq of the newest message (0 when empty)' })
  lastSeq: number;

  @ApiProperty({ example: 40, description: 'Your read cursor' })
  lastReadSeq: number;

  @ApiProperty({ example: 2, description: 'lastSeq - lastReadSeq' })
  unreadCount: number;

  @ApiPropertyOptional({ type: MessageDto, nullable: true })
  lastMessage: MessageDto | null;

  @ApiProperty({ example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;
}
