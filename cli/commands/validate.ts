/** `movies validate <csv...>`: the pipeline's checks, run locally on the files. */
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { checkDrop, pipelineRuleset, type DropCheck } from '../../contract/check.ts';
import { qualityOf } from '../../contract/etl-results.ts';
import { inert } from '../../contract/inert-text.ts';
import { readChunks } from '../../contract/read-chunks.ts';
import { MappingError } from '../../contract/mapping.ts';
import { mappingFor } from '../../contract/mapping-location.ts';
import { DropFileError } from '../../contract/movie-reader.ts';
import { failedRules } from '../../contract/outcome-view.ts';
import type { Ruleset } from '../../quality/ast.ts';
import { DqdlSyntaxError } from '../../quality/lexer.ts';
import { parseRuleset } from '../../quality/parser.ts';
import type { Io } from '../io.ts';
import { EXIT, exitForStatus } from '../exit-codes.ts';
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

  if (options.out) {
    const problem = unwritableDir(options.out);
    if (problem) {
      io.stderr.write(`movies: --out ${inert(options.out)}: ${problem}\n`);
      return EXIT.usage;
    }
  }
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
    let paths: { goodPath?: string; badPath?: string; created?: string | undefined } = {};
    try {
      if (options.out) paths = outputPaths(options.out, file, files.length > 1);
    } catch (err) {
      io.stderr.write(
        `movies: --out ${inert(options.out!)}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).\n`,
      );
      exit = Math.max(exit, EXIT.usage);
      continue;
    }
    const { created, ...outputs } = paths;
    const problem = unreadable(file);
    try {
      if (problem) throw new DropFileError(file, null, problem);
      const mapping = mappingFor('.', file);
      const check = await checkDrop(file, readChunks(file), {
        ruleset,
        ...(mapping ? { mapping } : {}),
        ...outputs,
      });
      // What the pipeline writes for a rejected file: nothing to load, and the file itself, as it
      // is, in quarantine (bad.csv here). Rows were written as they were read, before the verdict.
      if (outputs.goodPath && outputs.badPath && check.decision.verdict === 'QUALITY_FAILED') {
        rmSync(outputs.goodPath, { force: true });
        copyFileSync(file, outputs.badPath);
      }
      // PARTIAL, or a rule that failed though no row was quarantined for it, is exit 1.
      const code =
        check.decision.verdict === 'SUCCEEDED' && failedRules(qualityOf(check)).length
          ? EXIT.partial
          : exitForStatus(check.decision.verdict);
      exit = Math.max(exit, code);
      if (options.json) json.push(jsonOf(check));
      else io.stdout.write(renderCheck(check, outputs));
    } catch (err) {
      if (!(err instanceof DropFileError) && !(err instanceof MappingError)) throw err;
      // Nothing was written for it (outputs are renamed into place only when the file was read whole).
      if (created) rmSync(created, { recursive: true, force: true });
      exit = Math.max(exit, EXIT.usage);
      if (options.json) json.push({ File: file, Error: err.message });
      io.stderr.write(`movies: ${inert(err.message)}\n`);
    }
  }
  if (options.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  return exit;
}

/** Why `dir` cannot hold the outputs (it is a file), or null; one that does not exist yet is made per file. */
function unwritableDir(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : 'is a file, not a directory';
  } catch {
    return null;
  }
}

/**
 * One input: DIR/good.csv and DIR/bad.csv; several: DIR/<name>/good.csv, ... `created` is the
 * first directory made for them, removed again if the file turns out not to be a drop.
 */
function outputPaths(
  dir: string,
  file: string,
  several: boolean,
): { goodPath: string; badPath: string; created: string | undefined } {
  const target = several ? join(dir, basename(file, extname(file))) : dir;
  const created = mkdirSync(target, { recursive: true });
  return { goodPath: join(target, 'good.csv'), badPath: join(target, 'bad.csv'), created };
}

function jsonOf(check: DropCheck): object {
  return {
    File: check.file,
    ...(check.layout.mapping ? { Mapping: check.layout.mapping } : {}),
    Verdict: check.decision.verdict,
    ...check.result,
    FailureReasons: check.reasons,
  };
}
