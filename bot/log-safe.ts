/**
 * A value from outside (an SNS message's fields, an error built from them) as it may go into a log
 * line or an answer: control characters escaped, as JSON would (a newline cannot forge a line, an
 * escape sequence cannot reach a terminal), and cut to a couple of hundred characters. Plain values
 * read as they are.
 */
const MAX = 200;

export function logSafe(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > MAX ? `${text.slice(0, MAX)}… (${text.length} characters)` : text;
  return JSON.stringify(cut)
    .slice(1, -1)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
