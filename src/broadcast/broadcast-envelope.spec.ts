import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './broadcast-envelope';

describe('broadcast envelope', () => {
  it('round-trips', () => {
    const envelope = { origin: 'A', userIds: ['u1', 'u2'], frame: '{"event":"message","data":{}}' };
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    expect(decodeEnvelope(encodeEnvelope({ ...envelope, userIds: null }))?.userIds).toBeNull();
  });

  it.each(['not json', '[]', '{"origin":1,"userIds":null,"frame":"x"}', '{"origin":"A","userIds":[1],"frame":"x"}', '{"origin":"A","userIds":null}'])(
    'rejects %s without throwing',
    (raw) => {
      expect(decodeEnvelope(raw)).toBeNull();
    },
  );
});
