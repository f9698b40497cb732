/**
 * What one instance tells the others: "deliver this frame to these users' sockets" (or to
 * everyone). The frame is already serialised, so no instance re-encodes it.
 */
export interface BroadcastEnvelope {
  /** The publishing instance; each instance ignores its own envelopes (it delivered locally). */
  origin: string;
  /** Recipient user ids; null means every connected user. */
  userIds: string[] | null;
  /** The exact text frame to write to each recipient socket. */
  frame: string;
}

export function encodeEnvelope(envelope: BroadcastEnvelope): string {
  return JSON.stringify(envelope);
}

/** Returns null for anything that is not a well-formed envelope (never throws on bad input). */
export function decodeEnvelope(raw: string): BroadcastEnvelope | null {
  try {
    const value = JSON.parse(raw) as Partial<BroadcastEnvelope>;
    const usersOk = value.userIds === null || (Array.isArray(value.userIds) && value.userIds.every((id) => typeof id === 'string'));
    if (typeof value.origin !== 'string' || typeof value.frame !== 'string' || !usersOk) return null;
    return value as BroadcastEnvelope;
  } catch {
    return null;
  }
}
