import { WindowCount } from './window-counter';

export interface LimitedCount extends WindowCount {
  limit: number;
}

/**
 * Null when the attempt may proceed; otherwise the seconds to wait until every exceeded window
 * has reset (at least 1, since Retry-After is in whole seconds).
 */
export function retryAfterSeconds(counts: LimitedCount[]): number | null {
  const exceeded = counts.filter((window) => window.count > window.limit);
  if (exceeded.length === 0) return null;
  return Math.max(1, Math.ceil(Math.max(...exceeded.map((window) => window.resetInMs)) / 1000));
}
