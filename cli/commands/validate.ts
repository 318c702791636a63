/** `movies validate <csv...>`: the pipeline's checks, run locally on the files. */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { checkDrop, pipelineRuleset, type DropCheck } from '../../contract/check.ts';
import { qualityOf } from '../../contract/etl-results.ts';
import { inert } from '../../contract/inert-text.ts';
import { readChunks } from '../../contract/read-chunks.ts';
import { DropFileError } from '../../contract/movie-reader.ts';
import { failedRules } from '../../contract/outcome-view.ts';
import type { Ruleset } from '../../quality/ast.ts';
import { DqdlSyntaxError } from '../../quality/lexer.ts';
import { parseRuleset } from '../../quality/parser.ts';
import type { Io } from '../io.ts';
import { renderCheck } from '../report.ts';
import { readText, unreadable } from './files.ts';

export interface ValidateOptions {
  readonly rules: string | undefined;
  readonly json: boolean;
  readonly out: string | undefined;
}

export async function validate(files: readonly string[], options: ValidateOptions, io: Io): Promise<number> {
  let ruleset: Ruleset;
  if (options.rules) {
    const source = readText(options.rules, io);
    if (source === null) return 2;
    try {
      ruleset = parseRuleset(source);
    } catch (err) {
      if (!(err instanceof DqdlSyntaxError)) throw err;
      io.stderr.write(`movies: ${inert(`${options.rules}:${err.line}:${err.column}: ${err.reason}`)}\n`);
      return 2;
    }
  } else ruleset = pipelineRuleset();

  if (options.out && files.length > 1) {
    // DIR/<name>/ per input: two inputs with one name would overwrite each other's outputs.
    const names = files.map((f) => basename(f, extname(f)));
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) {
      io.stderr.write(
        `movies: two inputs are named "${inert(twice)}"; with --out each needs its own name (run them separately).\n`,
      );
      return 2;
    }
  }

  let exit = 0;
  const json: object[] = [];
  for (const file of files) {
    const outputs: { goodPath?: string; badPath?: string } = options.out
      ? outputPaths(options.out, file, files.length > 1)
      : {};
    const problem = unreadable(file);
    try {
      if (problem) throw new DropFileError(file, null, problem);
      const check = await checkDrop(file, readChunks(file), {
        ruleset,
        ...outputs,
      });
      // What the pipeline writes for a rejected file: nothing to load, and the file itself, as it
      // is, in quarantine (bad.csv here). Rows were written as they were read, before the verdict.
      if (outputs.goodPath && outputs.badPath && check.decision.verdict === 'QUALITY_FAILED') {
        rmSync(outputs.goodPath, { force: true });
        copyFileSync(file, outputs.badPath);
      }
      // A rule that failed, or a row the contract rejects, is a failed check.
      const quality = qualityOf(check);
      const failed = failedRules(quality).length > 0 || quality.rowsFailed > 0;
      if (failed) exit = Math.max(exit, 1);
      if (options.json) json.push(jsonOf(check));
      else io.stdout.write(renderCheck(check, outputs));
    } catch (err) {
      if (!(err instanceof DropFileError)) throw err;
      exit = 2;
      if (options.json) json.push({ File: file, Error: err.message });
      io.stderr.write(`movies: ${inert(err.message)}\n`);
    }
  }
  if (options.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  return exit;
}

/** One input: DIR/good.csv and DIR/bad.csv; several: DIR/<name>/good.csv, ... */
function outputPaths(dir: string, file: string, several: boolean): { goodPath: string; badPath: string } {
  const target = several ? join(dir, basename(file, extname(file))) : dir;
  mkdirSync(target, { recursive: true });
  return { goodPath: join(target, 'good.csv'), badPath: join(target, 'bad.csv') };
}

function jsonOf(check: DropCheck): object {
  return {
    File: check.file,
    Verdict: check.decision.verdict,
    ...check.result,
    FailureReasons: check.reasons,
  };
}
