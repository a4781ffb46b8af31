/**
 * Size and nesting of JSON values, measured without recursion, so a hostile
 * value nested thousands of levels deep is measured, not a stack overflow.
 */

/** Nesting depth: a scalar is 0 deep, `{}` and `[]` are 1, `{"a": []}` is 2. */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAbove) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The value as compact JSON text, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/**
 * The dotted path of the first number in the value that is not finite, if
 * any: JSON text such as 1e400 parses to Infinity, which JSON.stringify
 * writes back as null, so storing it would change the value without a word.
 */
export function nonFinitePath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return path;
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, child] of Object.entries(current)) stack.push([child, path === '' ? key : `${path}.${key}`]);
    }
  }
  return undefined;
}
