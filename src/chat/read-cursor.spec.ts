import { describe, expect, it } from 'vitest';
import { advanceReadCursor, unreadCount } from './read-cursor';

describe('read cursor rules', () => {
  it('moves forward to the requested seq', () => {
    expect(advanceReadCursor(3, 7, 10)).toBe(7);
  });

  it('never moves backwards', () => {
    expect(advanceReadCursor(7, 3, 10)).toBe(7);
    expect(advanceReadCursor(7, 0, 10)).toBe(7);
  });

  it('never passes the newest seq', () => {
    expect(advanceReadCursor(3, 99, 10)).toBe(10);
  });

  it('stays put when asked for the same seq', () => {
    expect(advanceReadCursor(5, 5, 10)).toBe(5);
  });

  it('counts unread as lastSeq - lastReadSeq, never negative', () => {
    expect(unreadCount(10, 7)).toBe(3);
    expect(unreadCount(10, 10)).toBe(0);
    expect(unreadCount(5, 9)).toBe(0);
  });
});
