import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsUUID } from 'class-validator';

export class AddMembersDto {
  @ApiProperty({ type: [String], format: 'uuid', example: ['7d3f1c9e-2a4b-4c5d-8e6f-1a2b3c4d5e6f'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  userIds: string[];
}
