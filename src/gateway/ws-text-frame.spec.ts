import type { EventEmitter } from 'node:events';
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { wsTextFrame } from './ws-text-frame';

/** ws's own framing and parsing: exported at run time, absent from @types/ws. */
const { Sender, Receiver } = ws as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer, callback: () => void): void };
};

/** What ws itself would put on the wire for a server's text message. */
function framedByWs(payload: string): Buffer {
  const parts = Sender.frame(Buffer.from(payload), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
  return Buffer.concat(parts);
}

describe('wsTextFrame', () => {
  // Each length field form (7-bit, 16-bit, 64-bit) at its edges, and multi-byte UTF-8.
  const payloads = ['', 'x'.repeat(125), 'x'.repeat(126), 'x'.repeat(0xffff), 'x'.repeat(0x10000), 'x'.repeat(70_000), '{"event":"message","data":{"body":"héllo 👋"}}'];

  it('writes the same bytes as ws for every length encoding', () => {
    for (const payload of payloads) expect(wsTextFrame(payload).equals(framedByWs(payload))).toBe(true);
  });

  it('is read back by a WebSocket client parser as the original text', async () => {
    const receiver = new Receiver({ isServer: false });
    const received: string[] = [];
    receiver.on('message', (data: Buffer, isBinary: boolean) => received.push(isBinary ? 'binary' : data.toString()));
    await new Promise<void>((resolve, reject) => {
      receiver.on('error', reject);
      receiver.write(Buffer.concat(payloads.map(wsTextFrame)), resolve);
    });
    expect(received).toEqual(payloads);
  });
});
