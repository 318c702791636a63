/**
 * `npm run parity -- FILE.csv... [--rules FILE]`: both engines' contract step over each file
 * (scripts/parity/compare.ts). Exit 0 when they agree on every row and file error, 1 when they
 * do not (each disagreement printed with both sides), 2 for a usage error.
 */
import { readFileSync } from 'node:fs';
import type { Ruleset } from '../quality/ast.ts';
import { DqdlSyntaxError } from '../quality/lexer.ts';
import { parseRuleset } from '../quality/parser.ts';
import { pipelineRuleset } from '../contract/check.ts';
import { mappingPathFor } from '../contract/mapping-location.ts';
import { disagreementText, runParity, summaryLine, type ParityInput } from './parity/compare.ts';

const USAGE =
  'usage: npm run parity -- FILE.csv... [--rules FILE.dqdl] [--mapping FILE]\n' +
  '  Each file is read through the nearest movies.mapping (as movies validate reads it), or --mapping.\n';

function usage(message: string): never {
  process.stderr.write(`parity: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main(args: string[]): Promise<number> {
  const files: string[] = [];
  let rules: string | undefined;
  let mapping: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === '--rules' || arg.startsWith('--rules=')) {
      rules = arg === '--rules' ? args[++i] : arg.slice('--rules='.length);
      if (!rules) usage('--rules needs a file');
    } else if (arg === '--mapping' || arg.startsWith('--mapping=')) {
      mapping = arg === '--mapping' ? args[++i] : arg.slice('--mapping='.length);
      if (!mapping) usage('--mapping needs a file');
    } else if (arg === '--') continue;
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (!files.length) usage('no files given');

  let ruleset: Ruleset = pipelineRuleset();
  if (rules) {
    let source: string;
    try {
      source = readFileSync(rules, 'utf8');
    } catch (err) {
      usage(`${rules}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      ruleset = parseRuleset(source);
    } catch (err) {
      if (!(err instanceof DqdlSyntaxError)) throw err;
      usage(`${rules}:${err.line}:${err.column}: ${err.reason}`);
    }
  }
  const given = mapping === undefined ? undefined : { file: mapping, text: readOrUsage(mapping, 'utf8') };
  const inputs: ParityInput[] = files.map((name) => {
    const bytes = readOrUsage(name);
    const found = given ?? nearestMapping(name);
    return { name, path: name, bytes, ...(found ? { mapping: found } : {}) };
  });

  let report;
  try {
    report = await runParity(inputs, { ruleset, python: process.env.PYTHON ?? 'python3' });
  } catch (err) {
    process.stderr.write(`parity: the Python side could not run: ${(err as Error).message}\n`);
    return 2;
  }
  let rows = 0;
  let agreeing = 0;
  let disagreements = 0;
  for (const file of report) {
    for (const d of file.disagreements) process.stdout.write(disagreementText(file.name, d));
    process.stdout.write(`${summaryLine(file)}\n`);
    rows += file.rows;
    agreeing += file.rowsAgreeing;
    if (!file.agree) disagreements++;
  }
  process.stdout.write(
    `total: ${report.length} file${report.length === 1 ? '' : 's'}, ${rows} rows compared, ${agreeing} agree; ` +
      `${disagreements ? `${disagreements} file${disagreements === 1 ? '' : 's'} where the engines disagree` : 'the engines agree'}\n`,
  );
  return disagreements ? 1 : 0;
}

function readOrUsage(path: string): Buffer;
function readOrUsage(path: string, encoding: 'utf8'): string;
function readOrUsage(path: string, encoding?: 'utf8'): Buffer | string {
  try {
    return encoding ? readFileSync(path, encoding) : readFileSync(path);
  } catch (err) {
    usage(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The mapping movies validate would read `file` through, as text for both engines to parse. */
function nearestMapping(file: string): { file: string; text: string } | undefined {
  const path = mappingPathFor('.', file);
  return path === null ? undefined : { file: path, text: readOrUsage(path, 'utf8') };
}

process.exitCode = await main(process.argv.slice(2));
