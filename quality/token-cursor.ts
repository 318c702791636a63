/** A position in a ruleset's tokens, with the reads and the errors every part of the parser shares. */
import { DqdlSyntaxError, type Token } from './lexer.ts';

export class TokenCursor {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The token at the cursor. */
  get tok(): Token {
    return this.tokens[this.i]!;
  }

  /** The index of the token at the cursor, to come back to with since(). */
  get position(): number {
    return this.i;
  }

  /** The tokens from an earlier position up to the cursor. */
  since(position: number): Token[] {
    return this.tokens.slice(position, this.i);
  }

  /** A token ahead of the cursor; the end of the ruleset if there are not that many. */
  peek(ahead = 1): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  /** Take the token at the cursor. */
  next(): Token {
    return this.tokens[this.i++]!;
  }

  fail(expected: string, at: Token = this.tok): never {
    const found = at.kind === 'eof' ? 'the end of the ruleset' : describe(at);
    throw new DqdlSyntaxError(`expected ${expected}, found ${found}`, at.line, at.column);
  }

  is(kind: Token['kind'], text?: string): boolean {
    return this.tok.kind === kind && (text === undefined || this.tok.text === text);
  }

  isWord(...words: string[]): boolean {
    return this.tok.kind === 'ident' && words.includes(this.tok.text);
  }

  expect(kind: Token['kind'], text: string | undefined, expected: string): Token {
    if (!this.is(kind, text)) this.fail(expected);
    return this.next();
  }

  punct(text: string): Token {
    return this.expect('punct', text, `'${text}'`);
  }

  expectEnd(): void {
    if (!this.is('eof')) this.fail('the end of the rule');
  }

  /**
   * `[a, b, ...]`. Glue takes no trailing comma, and an empty list only where its grammar
   * has one (Rules, Analyzers, DefaultLabels); `empty` says what the list must hold otherwise.
   */
  list<T>(item: () => T, empty?: string): T[] {
    const open = this.punct('[');
    const items: T[] = [];
    if (this.is('punct', ']')) {
      if (empty !== undefined)
        throw new DqdlSyntaxError(`this list is empty (expected ${empty})`, open.line, open.column);
      this.i++;
      return items;
    }
    for (;;) {
      items.push(item());
      if (this.is('punct', ',')) {
        const comma = this.next();
        if (this.is('punct', ']'))
          throw new DqdlSyntaxError(
            "a trailing comma before ']' (Glue refuses it)",
            comma.line,
            comma.column,
          );
        continue;
      }
      if (!this.is('punct', ']')) this.fail("',' or ']'");
      break;
    }
    this.i++;
    return items;
  }
}

function describe(t: Token): string {
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'number') return t.text;
  return `'${t.text}'`;
}
