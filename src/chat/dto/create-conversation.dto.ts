import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class CreateConversationDto {
  @ApiProperty({ example: 'Weekend trip', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'User ids to add besides yourself (you are added as owner)',
    example: ['7d3f1c9e-2a4b-4c5d-8e6f-1a2b3c4d5e6f'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  memberIds: string[];
}
