import type { ClientEventName, ServerEventName } from '../gateway/ws-protocol';

/**
 * Every event of the protocol, so frame labels come from a fixed set whatever clients send.
 * `satisfies` makes the compiler name an event that is added to ws-protocol.ts but not here.
 */
const CLIENT_EVENTS = {
  send_message: true,
  send_chat_message_to_participant: true,
  edit_message: true,
  delete_message: true,
  mark_read: true,
  typing: true,
  sync: true,
  refresh_token: true,
} satisfies Record<ClientEventName, true>;

const SERVER_EVENTS = {
  ready: true,
  resync: true,
  message: true,
  message_ack: true,
  read: true,
  typing: true,
  presence: true,
  sync_done: true,
  token_refreshed: true,
  error: true,
} satisfies Record<ServerEventName, true>;

/** A frame that was not a JSON object with a string `event`. */
export const INVALID = 'invalid';
/** A well-formed frame whose event the server does not handle. */
export const UNKNOWN = 'unknown';
/** A relayed frame whose event this version does not know (another version mid-deploy). */
export const OTHER = 'other';

/** `encodeFrame` writes `event` first, so a frame starts with exactly this. */
const FRAME_PREFIX = '{"event":"';
const FRAME_PREFIX_BYTES = Buffer.from(FRAME_PREFIX);
const QUOTE = 0x22;

/** A count bumped on the hot path: a plain number, copied into prom-client only when scraped. */
export class HotCounter {
  value = 0;

  inc(): void {
    this.value++;
  }
}

function countersFor(labels: string[]): Map<string, HotCounter> {
  return new Map(labels.map((label) => [label, new HotCounter()]));
}

/**
 * Frames in and out, by event. A write costs one reference comparison and one increment:
 * a fan-out writes the same string to every socket, so its event is read once per frame.
 */
export class FrameCounters {
  readonly in = countersFor([...Object.keys(CLIENT_EVENTS), UNKNOWN, INVALID]);
  /** Live frames written by the fan-out paths (local sends and frames relayed from other instances). */
  readonly live = countersFor([...Object.keys(SERVER_EVENTS), OTHER]);
  /** Frames written to one socket only: acks, errors, `ready`, catch-up entries. */
  readonly replies = countersFor([...Object.keys(SERVER_EVENTS), OTHER]);
  private lastFrame: string | Buffer | undefined;
  private lastCounter = new HotCounter();

  /** `event` is the frame's event when the server handles it; anything else counts as unknown. */
  received(event: string): void {
    (this.in.get(event) ?? this.in.get(UNKNOWN)!).inc();
  }

  /** `frame` is the string or the bytes written; the same object for every socket of one fan-out. */
  liveWritten(frame: string | Buffer): void {
    if (frame !== this.lastFrame) {
      this.lastFrame = frame;
      this.lastCounter = this.live.get(eventOf(frame)) ?? this.live.get(OTHER)!;
    }
    this.lastCounter.inc();
  }

  replyWritten(event: ServerEventName): void {
    (this.replies.get(event) ?? this.replies.get(OTHER)!).inc();
  }

  /** Totals by event, live and replies together. */
  out(): Map<string, number> {
    return new Map([...this.live].map(([event, counter]) => [event, counter.value + this.replies.get(event)!.value]));
  }
}

export function eventOf(frame: string | Buffer): string {
  if (typeof frame === 'string') {
    if (!frame.startsWith(FRAME_PREFIX)) return OTHER;
    const end = frame.indexOf('"', FRAME_PREFIX.length);
    return end < 0 ? OTHER : frame.slice(FRAME_PREFIX.length, end);
  }
  if (!frame.subarray(0, FRAME_PREFIX_BYTES.length).equals(FRAME_PREFIX_BYTES)) return OTHER;
  const end = frame.indexOf(QUOTE, FRAME_PREFIX_BYTES.length);
  return end < 0 ? OTHER : frame.toString('latin1', FRAME_PREFIX_BYTES.length, end);
}
