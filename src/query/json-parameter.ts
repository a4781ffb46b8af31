/**
 * The JSON text of a query parameter (`filter`, `order`). The URL itself is
 * refused with a raw or percent-encoded U+0000 (http/text-guard.ts), but JSON
 * can still spell one as `\u0000`, or a lone surrogate as `\ud800`:
 * PostgreSQL cannot compare with such a string, so it is refused here as in
 * bodies, for both stores alike.
 */
import { invalidField } from '../errors.js';
import { unstorableText } from '../entity/storable-text.js';

class UnstorableInJson extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function refuse(text: string): void {
  const reason = unstorableText(text);
  if (reason !== undefined) throw new UnstorableInJson(reason);
}

/** The parsed value; a 400 naming `name` when the text is not JSON (`notJson`), holds U+0000 or is not well-formed Unicode. */
export function parseJsonParameter(name: string, text: string, notJson: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      refuse(key);
      if (typeof value === 'string') refuse(value);
      return value;
    });
  } catch (err) {
    if (err instanceof UnstorableInJson) throw invalidField(name, err.reason);
    throw invalidField(name, notJson);
  }
}
