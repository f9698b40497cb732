/**
 * The read-cursor rules, free of I/O so they are unit-tested on their own:
 * a cursor never moves backwards and never passes the newest seq; unread is never negative.
 */
export function advanceReadCursor(current: number, requested: number, lastSeq: number): number {
  return Math.max(current, Math.min(requested, lastSeq));
}

export function unreadCount(lastSeq: number, lastReadSeq: number): number {
  return Math.max(0, lastSeq - lastReadSeq);
}
