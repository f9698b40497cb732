import { ApiProperty } from '@nestjs/swagger';

/** What login and refresh both hand out. */
export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256). Send as "Authorization: Bearer <token>" or as the WebSocket subprotocol.' })
  accessToken: string;

  @ApiProperty({ example: 3600, description: 'Seconds until the token (and any socket opened with it) expires' })
  expiresIn: number;

  @ApiProperty({
    description: 'Opaque, single use: POST /auth/refresh exchanges it for a new pair. Presenting it a second time revokes every token descended from the same login.',
  })
  refreshToken: string;

  @ApiProperty({ example: 2_592_000, description: 'Seconds until the refresh token expires' })
  refreshExpiresIn: number;
}
