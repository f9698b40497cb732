import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/user.dto';

export class LoginResponseDto {
  @ApiProperty({ description: 'JWT (HS256). Send as "Authorization: Bearer <token>" or as the WebSocket subprotocol.' })
  accessToken: string;

  @ApiProperty({ example: 3600, description: 'Seconds until the token (and any socket opened with it) expires' })
  expiresIn: number;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}
