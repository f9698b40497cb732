import { TokenBucket } from '../common/token-bucket';

/** Refused frames in a row after which the client is treated as abusive rather than bursty. */
export const MAX_REFUSED_IN_A_ROW = 20;

export type FrameVerdict = 'accept' | 'refuse' | 'disconnect';

/**
 * One socket's frame budget. A refused frame is answered and dropped; a client that keeps
 * sending through refusals is not reading them, so answering it further only costs us.
 */
export class FrameRateLimit {
  private readonly bucket: TokenBucket;
  private refusedInARow = 0;

  constructor(burst: number, perSecond: number, now = Date.now()) {
    this.bucket = new TokenBucket(burst, perSecond, now);
  }

  check(now = Date.now()): FrameVerdict {
    if (this.bucket.take(now)) {
      this.refusedInARow = 0;
      return 'accept';
    }
    this.refusedInARow++;
    return this.refusedInARow > MAX_REFUSED_IN_A_ROW ? 'disconnect' : 'refuse';
  }
}
