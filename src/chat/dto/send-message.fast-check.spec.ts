import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../common/validate-payload';
import { SendDirectMessageDto, SendMessageDto } from './send-message.dto';
import { fastSendDirectMessage, fastSendMessage } from './send-message.fast-check';

const ID = '00000000-0000-4000-8000-000000000000';

const VALUES: unknown[] = [ID, 'not-a-uuid', '', 'hi', 'a\u0000b', '\uFE0F', '😀', 'c-1f9a', 'bad id!', 'x'.repeat(65), null, 1, true, {}, []];

/** Every payload of the declared keys over VALUES (absent included), plus some shapes only the full path handles. */
function payloads(keys: [string, string, string]): unknown[] {
  const out: unknown[] = [null, [], 'text', Object.create(null), { extra: 1 }, JSON.parse(`{"__proto__":{}}`)];
  const choices = [undefined, ...VALUES];
  for (const a of choices) {
    for (const b of choices) {
      for (const c of [undefined, null, 'c-1f9a', 'bad id!', 7]) {
        const payload: Record<string, unknown> = {};
        for (const [key, value] of [[keys[0], a], [keys[1], b], [keys[2], c]] as const) if (value !== undefined) payload[key] = value;
        out.push(payload, { ...payload, constructor: 1 }, { ...payload, other: 'x' });
      }
    }
  }
  return out;
}

describe('send-message fast checks', () => {
  it.each([
    ['send_message', fastSendMessage, SendMessageDto, ['conversationId', 'body', 'clientMsgId']],
    ['send_chat_message_to_participant', fastSendDirectMessage, SendDirectMessageDto, ['participantId', 'message', 'clientMsgId']],
  ] as const)('%s: accepts only what class-validator accepts, with the same fields', async (_event, fast, dto, keys) => {
    let accepted = 0;
    for (const payload of payloads([...keys])) {
      const quick = fast(payload);
      if (quick === undefined) continue;
      accepted++;
      const full = await validatePayload(dto as new () => object, payload);
      expect({ ...quick }).toEqual({ ...full });
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('takes a well-formed send without the full validation', () => {
    expect(fastSendMessage({ conversationId: ID, body: 'hi', clientMsgId: 'c-1' })).toEqual({ conversationId: ID, body: 'hi', clientMsgId: 'c-1' });
    expect(fastSendDirectMessage({ participantId: ID, message: 'hi' })).toEqual({ participantId: ID, message: 'hi' });
  });
});
