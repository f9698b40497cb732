/**
 * Limits on the shape of a parsed frame. No client event needs more than a few levels or a few
 * hundred entries; anything bigger is refused before validation walks it (class-transformer
 * and class-validator recurse, and their cost grows with the shape, not the byte count).
 */
export const FRAME_SHAPE_LIMITS = {
  maxDepth: 8,
  maxArrayLength: 1000,
  maxObjectKeys: 1000,
} as const;

/**
 * What is wrong with the shape of `value`, or null when it is within the limits. Iterative, so
 * a hostile nesting depth cannot overflow the stack.
 */
export function frameShapeProblem(value: unknown, limits = FRAME_SHAPE_LIMITS): string | null {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limits.maxDepth) return `Frame is nested deeper than ${limits.maxDepth} levels`;
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    if (Array.isArray(node) && node.length > limits.maxArrayLength) {
      return `Frame has an array of more than ${limits.maxArrayLength} items`;
    }
    if (!Array.isArray(node) && children.length > limits.maxObjectKeys) {
      return `Frame has an object with more than ${limits.maxObjectKeys} keys`;
    }
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
  }
  return null;
}
