import { isUUID, matches, minLength } from 'class-validator';
import { CLIENT_MSG_ID_PATTERN, SendDirectMessageDto, SendMessageDto } from './send-message.dto';

/** The pattern NoNulCharacters applies. */
const NO_NUL = /^[^\u0000]*$/;

/**
 * The two send events are most of the frames a busy instance takes, and class-transformer plus
 * class-validator cost more CPU per send than the rest of its path in Node. These checks accept
 * only what the DTO's decorators accept (the same class-validator predicates, one per
 * decorator, and no key the DTO does not declare); anything else returns undefined, and the
 * caller runs validatePayload, which either accepts it too or produces the exact error. They
 * are sound, not complete: a payload they pass over is never judged differently.
 */
export function fastSendMessage(data: unknown): SendMessageDto | undefined {
  if (!isPlainPayload(data, SEND_MESSAGE_KEYS)) return undefined;
  const { conversationId, body, clientMsgId } = data;
  if (!isUUID(conversationId) || !isBody(body) || !isOptionalClientMsgId(clientMsgId)) return undefined;
  return copyPresent(data, SEND_MESSAGE_KEYS) as unknown as SendMessageDto;
}

export function fastSendDirectMessage(data: unknown): SendDirectMessageDto | undefined {
  if (!isPlainPayload(data, SEND_DIRECT_KEYS)) return undefined;
  const { participantId, message, clientMsgId } = data;
  if (!isUUID(participantId) || !isBody(message) || !isOptionalClientMsgId(clientMsgId)) return undefined;
  return copyPresent(data, SEND_DIRECT_KEYS) as unknown as SendDirectMessageDto;
}

const SEND_MESSAGE_KEYS: ReadonlySet<string> = new Set(['conversationId', 'body', 'clientMsgId']);
const SEND_DIRECT_KEYS: ReadonlySet<string> = new Set(['participantId', 'message', 'clientMsgId']);

/** A JSON object whose every own key is declared (so none is reserved, and forbidNonWhitelisted has nothing to say). */
function isPlainPayload(data: unknown, keys: ReadonlySet<string>): data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || Object.getPrototypeOf(data) !== Object.prototype) return false;
  const own = Reflect.ownKeys(data);
  return own.every((key) => typeof key === 'string' && keys.has(key));
}

/** @IsString @MinLength(1) @NoNulCharacters */
function isBody(value: unknown): boolean {
  return typeof value === 'string' && minLength(value, 1) && matches(value, NO_NUL);
}

/** @IsOptional (undefined or null skip the rest) @IsString @Matches(CLIENT_MSG_ID_PATTERN) */
function isOptionalClientMsgId(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && matches(value, CLIENT_MSG_ID_PATTERN));
}

/** What plainToInstance would copy: the keys the payload has, with their values. */
function copyPresent(data: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(data, key)) out[key] = data[key];
  return out;
}
