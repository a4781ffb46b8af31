/**
 * The number mask language of recordrules (shared/spec/RECORDING.md, "Number
 * masks"): `*` any run of characters, `X`/`x` one character, `?` one
 * character other than `.`, `[...]` one character of a set (`[138]`,
 * `[4-7]`, `[1-46-8]`, `[*]` a literal star), `{E}` only the empty number;
 * every other character stands for itself and the whole number must match.
 * "" and "*" match anything. Characters are Unicode code points.
 *
 * This module parses and validates; matching is the decision engine's.
 */
import type { ValueProblem } from '../declaration.js';

export type MaskToken =
  | { kind: 'run' }
  | { kind: 'any-one' }
  | { kind: 'not-dot' }
  | { kind: 'set'; points: ReadonlySet<number>; ranges: readonly (readonly [number, number])[] }
  | { kind: 'literal'; point: number };

export type ParsedMask =
  /** "" or "*": every number, the empty one included. */
  | { kind: 'any' }
  /** `{E}`: the empty number only. */
  | { kind: 'empty' }
  | { kind: 'tokens'; tokens: readonly MaskToken[]; literalPrefix: string };

export class MaskSyntaxError extends Error {}

const DOT = 0x2e;
export const EMPTY_MASK = '{E}';

function parseSet(content: number[], start: number): MaskToken {
  if (content.length === 0) throw new MaskSyntaxError(`empty set [] at position ${start + 1}`);
  const points = new Set<number>();
  const ranges: [number, number][] = [];
  for (let i = 0; i < content.length; ) {
    // `-` first or last is a literal `-` (RECORDING.md, "Fixed points").
    if (content[i + 1] === 0x2d && i + 2 < content.length) {
      const [low, high] = [content[i], content[i + 2]];
      if (low > high) throw new MaskSyntaxError(`reversed range [${String.fromCodePoint(low)}-${String.fromCodePoint(high)}]`);
      ranges.push([low, high]);
      i += 3;
    } else points.add(content[i++]);
  }
  return { kind: 'set', points, ranges };
}

/** Parses a mask; throws MaskSyntaxError saying what is wrong. */
export function parseMask(mask: string): ParsedMask {
  if (mask === '' || mask === '*') return { kind: 'any' };
  if (mask === EMPTY_MASK) return { kind: 'empty' };
  if (mask.includes(EMPTY_MASK)) throw new MaskSyntaxError(`${EMPTY_MASK} must be the whole mask`);
  const points = Array.from(mask, (char) => char.codePointAt(0)!);
  const tokens: MaskToken[] = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (point === 0x2a) tokens.push({ kind: 'run' });
    else if (point === 0x58 || point === 0x78) tokens.push({ kind: 'any-one' });
    else if (point === 0x3f) tokens.push({ kind: 'not-dot' });
    else if (point === 0x5b) {
      const close = points.indexOf(0x5d, i + 1);
      if (close < 0) throw new MaskSyntaxError(`unclosed [ at position ${i + 1}`);
      tokens.push(parseSet(points.slice(i + 1, close), i));
      i = close;
    } else tokens.push({ kind: 'literal', point });
  }
  // The leading literals are the mask's first characters: their text is a slice of it, in one piece
  // (a string grown a character at a time is a chain of pieces in memory).
  let prefixUnits = 0;
  for (const token of tokens) {
    if (token.kind !== 'literal') break;
    prefixUnits += token.point > 0xffff ? 2 : 1;
  }
  return { kind: 'tokens', tokens, literalPrefix: mask.slice(0, prefixUnits) };
}

/** Whether one code point satisfies a single-character token. */
export function tokenAccepts(token: Exclude<MaskToken, { kind: 'run' }>, point: number): boolean {
  switch (token.kind) {
    case 'literal':
      return token.point === point;
    case 'any-one':
      return true;
    case 'not-dot':
      return point !== DOT;
    case 'set':
      if (token.points.has(point)) return true;
      for (const [low, high] of token.ranges) if (point >= low && point <= high) return true;
      return false;
  }
}

/** The declaration check of a mask field. */
export function checkMask(value: unknown): ValueProblem[] {
  if (typeof value !== 'string') return [];
  try {
    parseMask(value);
    return [];
  } catch (err) {
    if (err instanceof MaskSyntaxError) return [{ message: `is not a valid mask: ${err.message}` }];
    throw err;
  }
}
