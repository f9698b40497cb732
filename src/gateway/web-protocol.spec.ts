import { describe, expect, expectTypeOf, it } from 'vitest';
import type { LoginResponseDto } from '../auth/dto/login-response.dto';
import type { TokenPairDto } from '../auth/dto/token-pair.dto';
import type { ConversationDto } from '../chat/dto/conversation.dto';
import type { MessageDto, MessagePageDto } from '../chat/dto/message.dto';
import { CLOSE_CODES, WS_PATH } from './ws-protocol';
import type { ServerEvents } from './ws-protocol';
import type { UserDto } from '../users/user.dto';
import * as web from '../../web/src/protocol';

/**
 * The web client keeps its own copy of the protocol (it is compiled for the browser, without the
 * server's dependencies). These checks hold the copy to what the server sends: every payload
 * the server produces must fit the type the client reads it as. The type checks fail
 * `npm run typecheck` (part of `npm test`), the value checks fail here.
 */
describe('the web client protocol copy', () => {
  it('reads REST payloads as the server writes them', () => {
    expectTypeOf<MessageDto>().toExtend<web.Entry>();
    expectTypeOf<MessagePageDto>().toExtend<web.MessagePage>();
    expectTypeOf<ConversationDto>().toExtend<web.Conversation>();
    expectTypeOf<UserDto>().toExtend<web.User>();
    expectTypeOf<TokenPairDto>().toExtend<web.TokenPair>();
    expectTypeOf<LoginResponseDto>().toExtend<web.LoginResult>();
  });

  it('reads every server event it handles as the server sends it', () => {
    expectTypeOf<ServerEvents['ready']>().toExtend<web.ServerEvents['ready']>();
    expectTypeOf<ServerEvents['message']>().toExtend<web.ServerEvents['message']>();
    expectTypeOf<ServerEvents['message_ack']>().toExtend<web.ServerEvents['message_ack']>();
    expectTypeOf<ServerEvents['read']>().toExtend<web.ServerEvents['read']>();
    expectTypeOf<ServerEvents['typing']>().toExtend<web.ServerEvents['typing']>();
    expectTypeOf<ServerEvents['presence']>().toExtend<web.ServerEvents['presence']>();
    expectTypeOf<ServerEvents['sync_done']>().toExtend<web.ServerEvents['sync_done']>();
    expectTypeOf<ServerEvents['resync']>().toExtend<web.ServerEvents['resync']>();
    expectTypeOf<ServerEvents['token_refreshed']>().toExtend<web.ServerEvents['token_refreshed']>();
    expectTypeOf<ServerEvents['error']>().toExtend<web.ServerEvents['error']>();
    // And it names no event the server does not send.
    expectTypeOf<keyof web.ServerEvents>().toExtend<keyof ServerEvents>();
  });

  it('uses the server\'s WebSocket path and close codes', () => {
    expect(web.WS_PATH).toBe(WS_PATH);
    expect([web.CLOSE_TOKEN_EXPIRED, web.CLOSE_SESSION_ENDED, web.CLOSE_SERVICE_RESTART]).toEqual([
      CLOSE_CODES.tokenExpired,
      CLOSE_CODES.sessionEnded,
      CLOSE_CODES.serviceRestart,
    ]);
  });
});
