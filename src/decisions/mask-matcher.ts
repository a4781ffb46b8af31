/**
 * Number masks compiled to matchers. The common shapes get a direct string
 * test (a literal number, a literal prefix then `*`); the rest run the
 * classic wildcard walk over code points, which backtracks only to the last
 * `*` and so stays O(mask x number) whatever the mask.
 */
import { MaskSyntaxError, parseMask, tokenAccepts, type MaskToken } from '../collections/values/number-mask.js';

/** A number (or domain name) prepared once per call for every rule that tests it. */
export interface Subject {
  text: string;
  points: readonly number[];
}

export function subjectOf(text: string): Subject {
  return { text, points: Array.from(text, (char) => char.codePointAt(0)!) };
}

export interface Matcher {
  test(subject: Subject): boolean;
  /** Characters every match starts with: what the rule index groups by. */
  literalPrefix: string;
}

const ANY: Matcher = { test: () => true, literalPrefix: '' };
const EMPTY: Matcher = { test: (subject) => subject.text === '', literalPrefix: '' };

type Single = Exclude<MaskToken, { kind: 'run' }>;

function walk(tokens: readonly MaskToken[], points: readonly number[]): boolean {
  let t = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < points.length) {
    const token = tokens[t];
    if (token !== undefined && token.kind !== 'run' && tokenAccepts(token as Single, points[i])) {
      t++;
      i++;
    } else if (token !== undefined && token.kind === 'run') {
      star = t++;
      resume = i;
    } else if (star >= 0) {
      // Let the last `*` take one more character and try again from there.
      t = star + 1;
      i = ++resume;
    } else return false;
  }
  while (t < tokens.length && tokens[t].kind === 'run') t++;
  return t === tokens.length;
}

// Each shape built in a function of its own, so its closure keeps only what it tests with.
const literal = (text: string): Matcher => ({ test: (subject) => subject.text === text, literalPrefix: text });
const prefixed = (prefix: string): Matcher => ({ test: (subject) => subject.text.startsWith(prefix), literalPrefix: prefix });
const walked = (prefix: string, tokens: readonly MaskToken[]): Matcher => ({
  test: (subject) => subject.text.startsWith(prefix) && walk(tokens, subject.points),
  literalPrefix: prefix,
});

/** The matcher of a mask; throws MaskSyntaxError for a mask the language refuses. */
export function compileMask(mask: string): Matcher {
  const parsed = parseMask(mask);
  if (parsed.kind === 'any') return ANY;
  if (parsed.kind === 'empty') return EMPTY;
  const { tokens, literalPrefix } = parsed;
  const literals = tokens.filter((token) => token.kind === 'literal').length;
  if (literals === tokens.length) return literal(literalPrefix);
  if (literals === tokens.length - 1 && tokens[tokens.length - 1].kind === 'run') return prefixed(literalPrefix);
  return walked(literalPrefix, tokens);
}

/** compileMask, or the reason a stored mask is not valid. */
export function tryCompileMask(mask: string): Matcher | { invalid: string } {
  try {
    return compileMask(mask);
  } catch (err) {
    if (err instanceof MaskSyntaxError) return { invalid: err.message };
    throw err;
  }
}
