/**
 * What one instance tells the others. Usually "deliver this frame to these users' sockets" (or
 * to everyone); the frame is already serialised, so no instance re-encodes it. A control
 * envelope instead carries an instruction about those users' sockets (close them on logout
 * or ban), so it reaches sockets on every instance the same way a frame does.
 */
export type BroadcastEnvelope = FrameEnvelope | ControlEnvelope;

export interface FrameEnvelope {
  /** The publishing instance; each instance ignores its own envelopes (it delivered locally). */
  origin: string;
  /** Recipient user ids; null means every connected user. */
  userIds: string[] | null;
  /** The exact text frame to write to each recipient socket. */
  frame: string;
}

export interface ControlEnvelope {
  origin: string;
  userIds: string[];
  control: EnvelopeControl;
}

/** Close every socket of the listed users with this WebSocket close code and reason. */
export interface EnvelopeControl {
  action: 'disconnect';
  /** An application close code, 4000-4999. */
  code: number;
  reason: string;
}

/** The pub/sub channel every instance of one deployment (one prefix) listens on. */
export function broadcastChannel(prefix: string): string {
  return `${prefix}broadcast`;
}

export function encodeEnvelope(envelope: BroadcastEnvelope): string {
  return JSON.stringify(envelope);
}

/** A WebSocket close reason may be at most 123 bytes. */
const MAX_CLOSE_REASON_BYTES = 123;

/** Returns null for anything that is not a well-formed envelope (never throws on bad input). */
export function decodeEnvelope(raw: string): BroadcastEnvelope | null {
  try {
    const value = JSON.parse(raw) as Record<string, unknown> | null;
    if (typeof value !== 'object' || value === null || typeof value.origin !== 'string') return null;
    const ids = value.userIds;
    const idsOk = Array.isArray(ids) && ids.every((id) => typeof id === 'string');
    // Exactly one of frame and control: an envelope carrying both would be ambiguous.
    if ('control' in value) {
      if ('frame' in value || !idsOk || !isControl(value.control)) return null;
      return value as unknown as ControlEnvelope;
    }
    if (typeof value.frame !== 'string' || !(ids === null || idsOk)) return null;
    return value as unknown as FrameEnvelope;
  } catch {
    return null;
  }
}

function isControl(value: unknown): value is EnvelopeControl {
  if (typeof value !== 'object' || value === null) return false;
  const { action, code, reason } = value as Record<string, unknown>;
  return (
    action === 'disconnect' &&
    Number.isInteger(code) &&
    (code as number) >= 4000 &&
    (code as number) <= 4999 &&
    typeof reason === 'string' &&
    Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES
  );
}
