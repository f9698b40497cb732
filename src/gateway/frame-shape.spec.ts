import { describe, expect, it } from 'vitest';
import { FRAME_SHAPE_LIMITS, frameShapeProblem } from './frame-shape';

/** `levels` arrays nested in each other: [[[…]]]. */
const nestedArrays = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('frameShapeProblem', () => {
  it('accepts every ordinary frame', () => {
    expect(frameShapeProblem({ event: 'send_message', data: { conversationId: 'c', body: 'hi', clientMsgId: 'm-1' } })).toBeNull();
    expect(frameShapeProblem({ event: 'sync', data: { cursors: { a: 1, b: 2 } } })).toBeNull();
    expect(frameShapeProblem('just a string')).toBeNull();
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(frameShapeProblem(nestedArrays(FRAME_SHAPE_LIMITS.maxDepth))).toBeNull();
    expect(frameShapeProblem(nestedArrays(FRAME_SHAPE_LIMITS.maxDepth + 1))).toMatch(/nested deeper than 8 levels/);
  });

  it('walks deep nesting without recursion', () => {
    expect(frameShapeProblem(nestedArrays(100_000))).toMatch(/nested deeper/);
  });

  it('refuses a huge array or an object with too many keys, however shallow', () => {
    expect(frameShapeProblem({ data: new Array(FRAME_SHAPE_LIMITS.maxArrayLength).fill(0) })).toBeNull();
    expect(frameShapeProblem({ data: new Array(FRAME_SHAPE_LIMITS.maxArrayLength + 1).fill(0) })).toMatch(/array of more than 1000 items/);
    const wide = Object.fromEntries(Array.from({ length: FRAME_SHAPE_LIMITS.maxObjectKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(frameShapeProblem({ data: wide })).toMatch(/object with more than 1000 keys/);
  });

  it('counts a __proto__ key from JSON.parse like any other key', () => {
    expect(frameShapeProblem(JSON.parse('{"__proto__":[[[[[[[[[]]]]]]]]]}'))).toMatch(/nested deeper/);
  });
});
