/** Labels: `labels = ["key"="value", ...]` on a rule, and the DefaultLabels section's list. */
import { DqdlSyntaxError } from './lexer.ts';
import type { TokenCursor } from './token-cursor.ts';

/** Glue's limit on a rule's labels, DefaultLabels included. */
export const MAX_LABELS = 10;

/** `["key"="value", ...]`; `empty` as for TokenCursor.list(). */
export function labelList(c: TokenCursor, empty: string | undefined): Record<string, string> {
  const at = c.tok;
  const pairs = c.list(() => {
    const key = c.expect('string', undefined, 'a quoted label name');
    if (!key.text) throw new DqdlSyntaxError('a label has an empty name', key.line, key.column);
    c.punct('=');
    const value = c.expect('string', undefined, 'a quoted label value');
    if (!value.text)
      throw new DqdlSyntaxError(`label "${key.text}" has an empty value`, value.line, value.column);
    return [key, value.text] as const;
  }, empty);
  const labels: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (key.text in labels)
      throw new DqdlSyntaxError(`label "${key.text}" is given twice`, key.line, key.column);
    labels[key.text] = value;
  }
  if (pairs.length > MAX_LABELS)
    throw new DqdlSyntaxError(`a rule may have at most ${MAX_LABELS} labels`, at.line, at.column);
  return labels;
}

/** `labels = [...]` after a rule, with the cursor on `labels`. */
export function labelsClause(c: TokenCursor): Record<string, string> {
  c.next(); // labels
  c.punct('=');
  return labelList(c, 'at least one "name"="value" label');
}
