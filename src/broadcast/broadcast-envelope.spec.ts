import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './broadcast-envelope';

describe('broadcast envelope', () => {
  it('round-trips', () => {
    const envelope = { origin: 'A', userIds: ['u1', 'u2'], frame: '{"event":"message","data":{}}' };
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    expect(decodeEnvelope(encodeEnvelope({ ...envelope, userIds: null }))?.userIds).toBeNull();
  });

  it('round-trips a disconnect control envelope', () => {
    const envelope = { origin: 'ban-script', userIds: ['u1'], control: { action: 'disconnect' as const, code: 4003, reason: 'Banned' } };
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it.each([
    'not json',
    '[]',
    'null',
    '{"origin":1,"userIds":null,"frame":"x"}',
    '{"origin":"A","userIds":[1],"frame":"x"}',
    '{"origin":"A","userIds":null}',
    // control envelopes: both kinds at once, everyone at once, unknown action, bad code or reason
    '{"origin":"A","userIds":["u"],"frame":"x","control":{"action":"disconnect","code":4003,"reason":"r"}}',
    '{"origin":"A","userIds":null,"control":{"action":"disconnect","code":4003,"reason":"r"}}',
    '{"origin":"A","userIds":["u"],"control":{"action":"explode","code":4003,"reason":"r"}}',
    '{"origin":"A","userIds":["u"],"control":{"action":"disconnect","code":1000,"reason":"r"}}',
    '{"origin":"A","userIds":["u"],"control":{"action":"disconnect","code":4003.5,"reason":"r"}}',
    '{"origin":"A","userIds":["u"],"control":{"action":"disconnect","code":4003}}',
    `{"origin":"A","userIds":["u"],"control":{"action":"disconnect","code":4003,"reason":"${'x'.repeat(124)}"}}`,
    '{"origin":"A","userIds":["u"],"control":null}',
  ])('rejects %s without throwing', (raw) => {
    expect(decodeEnvelope(raw)).toBeNull();
  });
});
