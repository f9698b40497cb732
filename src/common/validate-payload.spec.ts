import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { SyncDto } from '../chat/dto/conversation-signal.dto';
import { SendMessageDto } from '../chat/dto/send-message.dto';
import { validatePayload } from './validate-payload';

const CONVERSATION = '00000000-0000-4000-8000-000000000000';

describe('validatePayload', () => {
  it.each(['{"constructor":1}', '{"cursors":{"constructor":{"x":1}}}', '{"cursors":{"__proto__":1}}', '{"cursors":{"a":{"prototype":1}}}'])(
    'refuses the reserved key in %s as validation_failed, not a TypeError',
    async (raw) => {
      await expect(validatePayload(SyncDto, JSON.parse(raw))).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/should not exist/) });
    },
  );

  it('refuses a NUL character in a message body, which Postgres cannot store', async () => {
    await expect(validatePayload(SendMessageDto, { conversationId: CONVERSATION, body: 'a\u0000b' })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/body must not contain NUL/),
    });
    await expect(validatePayload(SendMessageDto, { conversationId: CONVERSATION, body: 'fine' })).resolves.toMatchObject({ body: 'fine' });
  });
});
