import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** Body of POST /auth/refresh and POST /auth/logout. */
export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh', example: 'q8m…' })
  @IsString()
  @Length(16, 256)
  refreshToken: string;
}
