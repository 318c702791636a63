/** Tokens of AWS Glue's Data Quality Definition Language, each with its line and column. */

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier or punctuation text, the string's value, or the number's source text. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** A ruleset that does not parse: where, and what was expected there. */
export class DqdlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'DqdlSyntaxError';
  }
}

const PUNCT = ['!=', '>=', '<=', '=', '>', '<', '[', ']', '(', ')', '{', '}', ',', ':', '+', '-', '*', '/'];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
      i++;
      continue;
    }
    const column = i - lineStart + 1;
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n || source[j] === '\n')
          throw new DqdlSyntaxError('this string is never closed (missing ")', line, column);
        const ch = source[j]!;
        if (ch === '\\' && j + 1 < n) {
          const next = source[j + 1]!;
          // \" and \\ are escapes; any other backslash stays (regular expressions need them).
          value += next === '"' || next === '\\' ? next : ch + next;
          j += 2;
          continue;
        }
        if (ch === '"') break;
        value += ch;
        j++;
      }
      tokens.push({ kind: 'string', text: value, line, column });
      i = j + 1;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      let j = i;
      while (j < n && isDigit(source[j]!)) j++;
      if (source[j] === '.' && isDigit(source[j + 1] ?? '')) {
        j++;
        while (j < n && isDigit(source[j]!)) j++;
      }
      if ((source[j] === 'e' || source[j] === 'E') && /[+-]?\d/.test(source.slice(j + 1, j + 3))) {
        j += source[j + 1] === '+' || source[j + 1] === '-' ? 2 : 1;
        while (j < n && isDigit(source[j]!)) j++;
      }
      tokens.push({ kind: 'number', text: source.slice(i, j), line, column });
      i = j;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_.]/.test(source[j]!)) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), line, column });
      i = j;
      continue;
    }
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (!punct)
      throw new DqdlSyntaxError(
        c === "'" ? "unexpected character ''' (strings take double quotes)" : `unexpected character '${c}'`,
        line,
        column,
      );
    tokens.push({ kind: 'punct', text: punct, line, column });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
