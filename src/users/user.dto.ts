import { ApiProperty } from '@nestjs/swagger';
import { User } from './user.entity';

/** The public view of a user: never the password hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid', example: '7d3f1c9e-2a4b-4c5d-8e6f-1a2b3c4d5e6f' })
  id: string;

  @ApiProperty({ example: 'alice@example.com' })
  email: string;

  @ApiProperty({ example: 'Alice' })
  displayName: string;

  @ApiProperty({ example: '2026-11-28T12:00:00.000Z' })
  createdAt: string;

  static from(user: User): UserDto {
    return { id: user.id, email: user.email, displayName: user.displayName, createdAt: user.createdAt.toISOString() };
  }
}
