import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MinLength } from 'class-validator';
import { NoNulCharacters } from './no-nul-characters.decorator';

/** Client-chosen idempotency key: a retry with the same key returns the original ack. */
export const CLIENT_MSG_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export class SendMessageDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  conversationId: string;

  @ApiProperty({ example: 'Hello!', description: 'Up to MESSAGE_MAX_CHARS characters (default 4000)' })
  @IsString()
  @MinLength(1)
  @NoNulCharacters()
  body: string;

  @ApiPropertyOptional({ example: 'c-1f9a', description: '1-64 of [A-Za-z0-9_.:-]; unique per sender' })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_MSG_ID_PATTERN, { message: 'clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ . : -' })
  clientMsgId?: string;
}

/** The reference design's direct-message event: the DM conversation is created on first use. */
export class SendDirectMessageDto {
  @ApiProperty({ format: 'uuid', description: 'The recipient user id' })
  @IsUUID()
  participantId: string;

  @ApiProperty({ example: 'Hi Bob' })
  @IsString()
  @MinLength(1)
  @NoNulCharacters()
  message: string;

  @ApiPropertyOptional({ example: 'c-1f9b' })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_MSG_ID_PATTERN, { message: 'clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ . : -' })
  clientMsgId?: string;
}
