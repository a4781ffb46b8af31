/**
 * The JSON examples of the seed documents (test/fixtures/seeds, copied from
 * the contract), in document order, so tests can hold responses against them.
 */
import { readFileSync } from 'node:fs';

const seedsDir = new URL('../../../test/fixtures/seeds/', import.meta.url);

/** Every top-level JSON value in the document, in order of appearance. */
export function seedExamples(file: string): unknown[] {
  const text = readFileSync(new URL(file, seedsDir), 'utf8');
  const examples: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text[i];
    if ((open === '{' || open === '[') && (i === 0 || text[i - 1] === '\n')) {
      let depth = 0;
      let inString = false;
      let j = i;
      for (; j < text.length; j++) {
        const c = text[j];
        if (inString) {
          if (c === '\\') j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      examples.push(JSON.parse(text.slice(i, j + 1)));
      i = j + 1;
    } else i++;
  }
  return examples;
}

/** The examples of one seed by role; each seed has them in this order. */
export function seedResponses(file: string) {
  const [created, list, one, patched, lookupFound, lookupFailed] = seedExamples(file) as any[];
  return { created, list, one, patched, lookupFound, lookupFailed };
}

/** Dotted key paths in order: what "the same shape, the same field order" compares. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [prefix + key, ...keyPaths(child, `${prefix}${key}.`)]);
}

/** A copy without the server-chosen parts (timestamps, generated tokens) that no test can predict. */
export function withoutVolatile<T>(entity: T, volatile: readonly string[] = ['ext', 'token_local']): T {
  const copy = { ...(entity as Record<string, unknown>) };
  for (const key of volatile) delete copy[key];
  return copy as T;
}
