import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/user.dto';
import { TokenPairDto } from './token-pair.dto';

export class LoginResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;
}
