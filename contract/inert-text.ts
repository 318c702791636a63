/**
 * Untrusted text (file names, and messages that quote a drop's header or values) made inert for a
 * log line or a terminal. GitHub's runner runs a stdout line that starts with `::` (or `##[`) as
 * a workflow command, so a line break inside a name would let the name write its own commands;
 * bidirectional controls would make a name read as another.
 */

/** Control characters (C0, DEL, C1), line and paragraph separators, bidi controls, lone surrogates. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** What the runner would read as a workflow command once leading whitespace is trimmed. */
const COMMAND_START = /^(\s*)([:#])(?=:|#\[)/u;

/** U+000A, for messages. */
export function codePointName(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first unsafe character in `text` and its 1-based position (in characters), or null. */
export function controlCharacterIn(text: string): { char: string; position: number } | null {
  UNSAFE.lastIndex = 0;
  const m = UNSAFE.exec(text);
  return m ? { char: m[0], position: [...text.slice(0, m.index)].length + 1 } : null;
}

/** Every unsafe character written as an escape: \n, \r, \t, or \u2028. */
export function escapeControls(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/**
 * Text safe in a log line: no character breaks the line or hides, and what would start a
 * workflow command (`::`, `##[`) has its first character escaped.
 */
export function inert(text: string): string {
  return escapeControls(text).replace(
    COMMAND_START,
    (_, space: string, c: string) => `${space}\\u00${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
