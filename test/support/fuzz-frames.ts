/** One generated frame; `binary` frames go out with the binary opcode. */
export interface FuzzFrame {
  kind: string;
  payload: string | Buffer;
  binary: boolean;
}

export interface FuzzTargets {
  /** A conversation the fuzzing user belongs to, so some frames get past the membership check. */
  conversationId: string;
  /** Another user, for direct messages. */
  participantId: string;
  maxPayloadBytes: number;
}

let ids = 0;
/** Unique per test process; each fuzz run has a fresh database. */
const nextId = (prefix: string) => `${prefix}-${++ids}`;

/** Values that are the wrong type (or an invalid value) for every field of every client event. */
const WRONG_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e300, -0, '', ' ', 'not-a-uuid', '\u0000', '\ud800', '💥'.repeat(3), '1e3', '-5',
  [], [1, 2], ['a'], {}, { a: 1 }, { __proto__: { polluted: true } }, { constructor: { prototype: {} } },
];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Each client event with a valid data generator and the fields that may be corrupted. */
type EventSpec = { event: string; valid: (t: FuzzTargets) => Record<string, unknown>; mustBreak: string[] };

/**
 * The fuzz test counts one answer (error, message_ack or sync_done) per frame. A valid `typing`
 * has no answer to its sender and a valid `mark_read` answers with `read` frames, so theirs
 * always break conversationId (no WRONG_VALUES entry is a UUID). The others may come out valid.
 */
const EVENTS: EventSpec[] = [
  { event: 'send_message', valid: (t) => ({ conversationId: t.conversationId, body: 'fuzz', clientMsgId: nextId('f') }), mustBreak: ['conversationId', 'body'] },
  { event: 'send_chat_message_to_participant', valid: (t) => ({ participantId: t.participantId, message: 'fuzz', clientMsgId: nextId('d') }), mustBreak: ['participantId', 'message'] },
  { event: 'edit_message', valid: () => ({ messageId: '1', body: 'edited', clientMsgId: nextId('e') }), mustBreak: ['messageId', 'body'] },
  { event: 'delete_message', valid: () => ({ messageId: '1', clientMsgId: nextId('x') }), mustBreak: ['messageId'] },
  { event: 'mark_read', valid: (t) => ({ conversationId: t.conversationId, seq: 1 }), mustBreak: ['conversationId'] },
  { event: 'typing', valid: (t) => ({ conversationId: t.conversationId }), mustBreak: ['conversationId'] },
  { event: 'sync', valid: (t) => ({ cursors: { [t.conversationId]: 0 } }), mustBreak: ['cursors'] },
];

/** Random, mutated and hostile frames from a seeded generator, so a failing run can be replayed. */
export class FrameFuzzer {
  private state: number;

  constructor(
    readonly seed: number,
    private readonly targets: FuzzTargets,
  ) {
    this.state = seed >>> 0;
  }

  next(): FuzzFrame {
    const roll = this.float();
    if (roll < 0.3) return this.wrongTypes();
    if (roll < 0.4) return this.text('random-event', JSON.stringify({ event: this.randomString(40), data: this.pick(WRONG_VALUES), id: this.int(1e6) }));
    if (roll < 0.5) return this.mutated();
    if (roll < 0.58) return { kind: 'binary', payload: this.bytes(this.int(64) + 1), binary: true };
    if (roll < 0.62) return { kind: 'binary-utf8', payload: Buffer.from([0x7b, 0xe2, 0x82]), binary: true };
    if (roll < 0.67) return this.text('not-json', this.randomString(200));
    if (roll < 0.72) return this.giant();
    if (roll < 0.8) return this.nested();
    if (roll < 0.9) return this.prototypeKeys();
    return this.text('valid', JSON.stringify({ event: 'send_message', data: EVENTS[0].valid(this.targets) }));
  }

  private wrongTypes(): FuzzFrame {
    const spec = this.pick(EVENTS);
    const data: Record<string, unknown> = spec.valid(this.targets);
    data[this.pick(spec.mustBreak)] = this.pick(WRONG_VALUES);
    for (const field of Object.keys(data)) if (this.float() < 0.3) data[field] = this.pick(WRONG_VALUES);
    return this.text('wrong-types', JSON.stringify({ event: spec.event, data }));
  }

  /** A valid send_message with characters cut, replaced or repeated: mostly bad JSON, sometimes still valid. */
  private mutated(): FuzzFrame {
    let raw = JSON.stringify({ event: 'send_message', data: EVENTS[0].valid(this.targets) });
    for (let i = this.int(3) + 1; i > 0; i--) {
      const at = this.int(raw.length);
      const op = this.int(3);
      if (op === 0) raw = raw.slice(0, at);
      else if (op === 1) raw = raw.slice(0, at) + this.pick([...'{}[]",:\\0a ']) + raw.slice(at + 1);
      else raw = raw.slice(0, at) + raw.slice(at, at + this.int(10)).repeat(2) + raw.slice(at);
    }
    return this.text('mutated', raw);
  }

  /** Frames just under the payload limit: a giant body, event name or multi-byte string. */
  private giant(): FuzzFrame {
    const room = this.targets.maxPayloadBytes - 200;
    const choices = [
      () => ({ event: 'send_message', data: { conversationId: this.targets.conversationId, body: 'x'.repeat(room) } }),
      () => ({ event: 'x'.repeat(room), data: {} }),
      () => ({ event: 'send_message', data: { conversationId: this.targets.conversationId, body: '€'.repeat(Math.floor(room / 3)) } }),
      () => ({ event: 'sync', data: { cursors: Object.fromEntries(Array.from({ length: Math.floor(room / 12) }, (_, i) => [`k${i}`, i])) } }),
    ];
    const raw = JSON.stringify(this.pick(choices)());
    return this.text('giant', raw);
  }

  private nested(): FuzzFrame {
    const depth = this.int(5000) + 9;
    const choices = [
      `{"event":"sync","data":{"cursors":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
      `{"event":"send_message","data":${'{"a":'.repeat(Math.min(depth, 1500))}1${'}'.repeat(Math.min(depth, 1500))}}`,
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      JSON.stringify({ event: 'sync', data: { cursors: new Array(1001 + this.int(500)).fill(0) } }),
    ];
    return this.text('nested', this.pick(choices));
  }

  /** Prototype-ish keys at the top level and inside data, as raw JSON so they stay own keys. */
  private prototypeKeys(): FuzzFrame {
    const key = this.pick(PROTOTYPE_KEYS);
    const spec = this.pick(EVENTS);
    const value = JSON.stringify(this.pick(WRONG_VALUES));
    const choices = [
      `{"${key}":{"event":"send_message"},"event":"${spec.event}","data":{"${key}":${value}}}`,
      `{"event":"${key}","data":{}}`,
      `{"event":"${spec.event}","data":{"${key}":{"admin":true},"conversationId":${value}}}`,
      `{"event":"sync","data":{"cursors":{"${key}":${value}}}}`,
    ];
    return this.text('prototype', this.pick(choices));
  }

  private text(kind: string, payload: string): FuzzFrame {
    return { kind, payload, binary: false };
  }

  private randomString(maxLength: number): string {
    const alphabet = 'abcXYZ_019 {}[]":,\\\u00e9\u4e2d\ud83d\ude00\u0000\n';
    return Array.from({ length: this.int(maxLength) + 1 }, () => this.pick([...alphabet])).join('');
  }

  private bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(256)));
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  private int(below: number): number {
    return Math.floor(this.float() * below);
  }

  /** mulberry32: tiny, seedable, good enough for test data. */
  private float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
