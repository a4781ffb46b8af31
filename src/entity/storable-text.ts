/**
 * Text both stores keep exactly as sent. PostgreSQL text and jsonb cannot
 * hold U+0000, which SQLite can. A string that is not well-formed Unicode (a
 * lone surrogate, which JSON can spell as `\ud800`) is refused by
 * PostgreSQL's jsonb, and would be kept as U+FFFD in text columns of both.
 */

/** Why a string (a value or a key) cannot be stored as sent, or undefined. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (!text.isWellFormed()) return 'must be well-formed Unicode: no unpaired surrogate (\\ud800-\\udfff)';
  return undefined;
}
