/**
 * The JSON text of a query parameter (`filter`, `order`). The URL itself is
 * refused with a raw or percent-encoded U+0000 (http/nul-guard.ts), but JSON
 * can still spell one as `\u0000`: PostgreSQL cannot compare with such a
 * string, so it is refused here as in bodies, for both stores alike.
 */
import { invalidField } from '../errors.js';

const NUL = '\u0000';

class NulInJson extends Error {}

/** The parsed value; a 400 naming `name` when the text is not JSON (`notJson`) or holds U+0000. */
export function parseJsonParameter(name: string, text: string, notJson: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (key.includes(NUL) || (typeof value === 'string' && value.includes(NUL))) throw new NulInJson();
      return value;
    });
  } catch (err) {
    if (err instanceof NulInJson) throw invalidField(name, 'must not contain NUL (\\u0000) characters');
    throw invalidField(name, notJson);
  }
}
