/** `movies rules check FILE`: parse only. */
import { formatRuleset } from '../../quality/format.ts';
import { DqdlSyntaxError } from '../../quality/lexer.ts';
import { parseRuleset } from '../../quality/parser.ts';
import type { Io } from '../io.ts';
import { readText } from './files.ts';

export function rulesCheck(path: string, json: boolean, io: Io): number {
  const source = readText(path, io);
  if (source === null) return 2;
  try {
    const ruleset = parseRuleset(source);
    io.stdout.write(
      json ? `${JSON.stringify({ file: path, valid: true, ruleset }, null, 2)}\n` : formatRuleset(ruleset),
    );
    return 0;
  } catch (err) {
    if (!(err instanceof DqdlSyntaxError)) throw err;
    if (json)
      io.stdout.write(
        `${JSON.stringify({ file: path, valid: false, error: { line: err.line, column: err.column, message: err.reason } }, null, 2)}\n`,
      );
    io.stderr.write(`${path}:${err.line}:${err.column}: ${err.reason}\n`);
    return 2;
  }
}
