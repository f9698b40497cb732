import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { CLIENT_MSG_ID_PATTERN } from './send-message.dto';
import { NoNulCharacters } from './no-nul-characters.decorator';

const MESSAGE_ID = /^[1-9][0-9]{0,18}$/;

export class DeleteMessageDto {
  @ApiProperty({ example: '1024', description: 'The id of one of your messages' })
  @IsString()
  @Matches(MESSAGE_ID, { message: 'messageId must be a message id (a positive integer as a string)' })
  messageId: string;

  @ApiPropertyOptional({ example: 'c-2a01' })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_MSG_ID_PATTERN, { message: 'clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ . : -' })
  clientMsgId?: string;
}

export class EditMessageDto extends DeleteMessageDto {
  @ApiProperty({ example: 'Hello, fixed typo' })
  @IsString()
  @MinLength(1)
  @NoNulCharacters()
  body: string;
}
