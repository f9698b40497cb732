import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../gateway/ws-protocol';
import { eventOf, FrameCounters } from './frame-counters';

describe(FrameCounters.name, () => {
  it('reads the event of every frame encodeFrame writes', () => {
    expect(eventOf(encodeFrame('message_ack', { clientMsgId: null, id: 'x', conversationId: 'c', seq: 1, createdAt: 't', duplicate: false }))).toBe('message_ack');
    expect(eventOf(encodeFrame('resync', { reason: 'relay_reconnected' }))).toBe('resync');
    expect(eventOf('{"data":{},"event":"message"}')).toBe('other');
    expect(eventOf('{"event":"unterminated')).toBe('other');
    expect(eventOf(Buffer.from(encodeFrame('presence', { userId: 'u', online: true })))).toBe('presence');
    expect(eventOf(Buffer.from('{"event":"unterminated'))).toBe('other');
    expect(eventOf(Buffer.from('[1]'))).toBe('other');
  });

  it('counts live writes by the frame event, reading the event once per frame', () => {
    const counters = new FrameCounters();
    const message = encodeFrame('typing', { conversationId: 'c', userId: 'u' });
    for (let i = 0; i < 3; i++) counters.liveWritten(message);
    counters.liveWritten(encodeFrame('resync', { reason: 'relay_reconnected' }));
    counters.liveWritten('{"event":"from_a_newer_version","data":1}');
    const bytes = Buffer.from(message);
    counters.liveWritten(bytes);
    counters.liveWritten(bytes);
    expect(counters.live.get('typing')!.value).toBe(5);
    expect(counters.live.get('resync')!.value).toBe(1);
    expect(counters.live.get('other')!.value).toBe(1);
  });

  it('adds replies and live writes of the same event together', () => {
    const counters = new FrameCounters();
    counters.liveWritten(encodeFrame('resync', { reason: 'relay_reconnected' }));
    counters.replyWritten('resync');
    counters.replyWritten('error');
    expect(counters.out().get('resync')).toBe(2);
    expect(counters.out().get('error')).toBe(1);
    expect(counters.out().get('message')).toBe(0);
  });

  it('keeps frames-in labels to the known events, whatever a client sends', () => {
    const counters = new FrameCounters();
    for (const event of ['sync', 'send_message', 'invalid', 'unknown', 'made_up', '__proto__', 'constructor']) counters.received(event);
    expect(Object.fromEntries([...counters.in].map(([event, counter]) => [event, counter.value]))).toMatchObject({
      sync: 1,
      send_message: 1,
      invalid: 1,
      unknown: 4,
    });
    expect([...counters.in.keys()]).not.toContain('made_up');
  });
});
