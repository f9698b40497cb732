import { IsJWT, IsString, MaxLength } from 'class-validator';

/** `data` of the WebSocket `refresh_token` event. */
export class RefreshSocketTokenDto {
  @IsString()
  @IsJWT()
  @MaxLength(4096)
  accessToken: string;
}
