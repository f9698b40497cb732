import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Message, MessageKind } from '../entities/message.entity';

/** One entry of a conversation's log, as clients see it live, in catch-up and in history. */
export class MessageDto {
  @ApiProperty({ example: '1024', description: 'Global id (bigint as a string)' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  conversationId: string;

  @ApiProperty({ example: 42, description: 'Position in the conversation: 1, 2, 3, ... without gaps' })
  seq: number;

  @ApiProperty({
    enum: ['message', 'edit', 'delete', 'member_added', 'member_removed'],
    description: 'message: a chat message; edit/delete: a change to message targetId; member_*: subjectUserId joined/left',
  })
  kind: MessageKind;

  @ApiProperty({ format: 'uuid', description: 'Author of a message, actor of an event' })
  senderId: string;

  @ApiProperty({ example: 'Hello!', nullable: true, description: 'Current text; the new text for an edit; null when deleted' })
  body: string | null;

  @ApiPropertyOptional({ example: '1000', nullable: true, description: 'For edit/delete: the id of the message changed' })
  targetId: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'For member_added/member_removed' })
  subjectUserId: string | null;

  @ApiPropertyOptional({ example: 'c-1f9a', nullable: true })
  clientMsgId: string | null;

  @ApiProperty({ example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  @ApiPropertyOptional({ nullable: true, description: 'Set on a message that was edited' })
  editedAt: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Set on a message that was deleted (body is then null)' })
  deletedAt: string | null;

  static from(message: Message): MessageDto {
    return {
      id: message.id,
      conversationId: message.conversationId,
      seq: message.seq,
      kind: message.kind,
      senderId: message.senderId,
      body: message.body,
      targetId: message.targetId,
      subjectUserId: message.subjectUserId,
      clientMsgId: message.clientMsgId,
      createdAt: message.createdAt.toISOString(),
      editedAt: message.editedAt?.toISOString() ?? null,
      deletedAt: message.deletedAt?.toISOString() ?? null,
    };
  }
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto] })
  messages: MessageDto[];

  @ApiPropertyOptional({
    example: 21,
    nullable: true,
    description: 'Pass as beforeSeq (newest-first pages) or afterSeq (range pages) for the next page; null at the end',
  })
  nextCursor: number | null;
}
