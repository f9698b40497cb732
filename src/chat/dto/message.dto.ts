import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Message } from '../entities/message.entity';

export class MessageDto {
  @ApiProperty({ example: '1024', description: 'Global message id (bigint as a string)' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  conversationId: string;

  @ApiProperty({ example: 42, description: 'Position in the conversation: 1, 2, 3, ... without gaps' })
  seq: number;

  @ApiProperty({ format: 'uuid' })
  senderId: string;

  @ApiProperty({ example: 'Hello!' })
  body: string;

  @ApiPropertyOptional({ example: 'c-1f9a', nullable: true })
  clientMsgId: string | null;

  @ApiProperty({ example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  static from(message: Message): MessageDto {
    return {
      id: message.id,
      conversationId: message.conversationId,
      seq: message.seq,
      senderId: message.senderId,
      body: message.body,
      clientMsgId: message.clientMsgId,
      createdAt: message.createdAt.toISOString(),
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
