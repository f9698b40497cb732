import { describe, expect, it } from 'vitest';
import { Message } from './entities/message.entity';
import { matchToInputs } from './send-statements';

const input = (conversationId: string, senderId: string) => ({ conversationId, senderId, body: 'x' });
const stored = (conversationId: string, senderId: string, seq: number) =>
  Object.assign(new Message(), { id: `${conversationId}-${seq}`, conversationId, senderId, seq });

describe('matchToInputs', () => {
  it('gives each conversation its seqs in arrival order, across interleaved conversations', () => {
    const inputs = [input('c1', 'a'), input('c2', 'b'), input('c1', 'b'), input('c1', 'a')];
    const rows = [stored('c1', 'a', 8), stored('c1', 'b', 9), stored('c2', 'b', 3), stored('c1', 'a', 10)].reverse();
    expect(matchToInputs(inputs, rows).map((m) => m?.seq)).toEqual([8, 3, 9, 10]);
  });

  it('answers null for a sender who is not a member, without shifting the others', () => {
    const inputs = [input('c1', 'a'), input('c1', 'outsider'), input('c1', 'a')];
    const rows = [stored('c1', 'a', 1), stored('c1', 'a', 2)];
    expect(matchToInputs(inputs, rows).map((m) => m?.seq ?? null)).toEqual([1, null, 2]);
  });

  it('refuses results that do not fit the inputs rather than mis-acking', () => {
    expect(() => matchToInputs([input('c1', 'a'), input('c1', 'b')], [stored('c1', 'b', 1), stored('c1', 'a', 2)])).toThrow();
  });
});
