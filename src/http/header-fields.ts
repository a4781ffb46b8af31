/**
 * How many times a field is in a request's head (`name` in lower case).
 * Node keeps the first of several for a field that is no list; a proxy in
 * front may act on the last (RFC 9110 §5.3: a sender must not repeat such a
 * field), so a request repeating one it matters for is refused.
 */
export function fieldCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i];
    if (field.length === name.length && field.toLowerCase() === name) count++;
  }
  return count;
}
