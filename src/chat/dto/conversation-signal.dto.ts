import { IsInt, IsObject, IsOptional, IsUUID, Min } from 'class-validator';

export class MarkReadDto {
  @IsUUID()
  conversationId: string;

  /** Read up to and including this seq; the cursor never moves backwards. */
  @IsInt()
  @Min(0)
  seq: number;
}

export class TypingDto {
  @IsUUID()
  conversationId: string;
}

export class SyncDto {
  /** conversationId -> last seq the client has; conversations left out start from the read cursor. */
  @IsOptional()
  @IsObject()
  cursors?: Record<string, number>;
}
