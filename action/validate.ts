/** Validate mode: the pipeline's contract and ruleset, run on the data files in the workspace. */
import { lstat, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { checkDrop, pipelineRuleset } from '../contract/check.ts';
import { qualityOf } from '../contract/etl-results.ts';
import { readChunks } from '../contract/read-chunks.ts';
import { MappingError } from '../contract/mapping.ts';
import { mappingFor } from '../contract/mapping-location.ts';
import { DropFileError } from '../contract/movie-reader.ts';
import type { OutcomeStatus } from '../contract/outcome.ts';
import { failedRules, type FailedRule } from '../contract/outcome-view.ts';
import type { Ruleset } from '../quality/ast.ts';
import { DqdlSyntaxError } from '../quality/lexer.ts';
import { parseRuleset } from '../quality/parser.ts';
import { refusedName } from './changed-files.ts';

export interface FileReport {
  readonly file: string;
  readonly status: OutcomeStatus;
  readonly rows: number;
  readonly rowsLoaded: number;
  readonly rowsQuarantined: number;
  readonly score: number | null;
  readonly failedRules: readonly FailedRule[];
  /** Why rows failed, most common first: reason, count, first lines. */
  readonly reasons: readonly { reason: string; rows: number; lines: readonly number[] }[];
  /** The movies.mapping the file was read through, if any. */
  readonly mapping?: string;
  /** Set when the file cannot be read as a drop at all. */
  readonly error?: string;
  /** Where the error is, when it is not in the file itself (its mapping). */
  readonly errorFile?: string;
  readonly errorLine?: number;
  /** File/line notes for sample bad rows (the workflow shows them on the diff). */
  readonly annotations: readonly { line: number; title: string; message: string }[];
}

const MAX_ANNOTATIONS = 10;

export async function loadRuleset(workspace: string, path: string | undefined): Promise<Ruleset> {
  if (!path) return pipelineRuleset();
  // A pull request chooses what this reads: keep it to regular files inside the workspace.
  const rel = normalize(path);
  if (isAbsolute(rel) || rel.startsWith('..'))
    throw new Error(`The rules file ${path} is outside the workspace.`);
  if ((await lstat(join(workspace, rel)).catch(() => null))?.isSymbolicLink())
    throw new Error(`The rules file ${path} is a symbolic link.`);
  let text: string;
  try {
    text = await readFile(join(workspace, rel), 'utf8');
  } catch {
    throw new Error(`The rules file ${path} cannot be read.`);
  }
  try {
    return parseRuleset(text);
  } catch (err) {
    if (err instanceof DqdlSyntaxError) throw new Error(`${path}:${err.line}:${err.column}: ${err.reason}`);
    throw err;
  }
}

export async function validateFiles(
  workspace: string,
  files: readonly string[],
  rules: string | undefined,
): Promise<FileReport[]> {
  const ruleset = await loadRuleset(workspace, rules);
  const reports: FileReport[] = [];
  for (const file of files) {
    try {
      const refused = refusedName(file);
      if (refused) throw new DropFileError(file, null, refused);
      const mapping = mappingFor(workspace, file);
      const check = await checkDrop(file, readChunks(join(workspace, file)), {
        ruleset,
        ...(mapping ? { mapping } : {}),
      });
      // The quality as the pipeline's outcome would carry it; every reason, not its top ten.
      const quality = qualityOf(check);
      reports.push({
        file,
        status: check.decision.verdict,
        ...(mapping ? { mapping: mapping.file } : {}),
        rows: quality.rowsProcessed,
        rowsLoaded: check.decision.rowsToLoad,
        rowsQuarantined: check.decision.rowsToQuarantine,
        score: quality.score,
        failedRules: failedRules(quality),
        reasons: check.reasons,
        annotations: annotationsFor(check.reasons),
      });
    } catch (err) {
      if (!(err instanceof DropFileError) && !(err instanceof MappingError)) throw err;
      reports.push({
        file,
        status: 'FAILED',
        rows: 0,
        rowsLoaded: 0,
        rowsQuarantined: 0,
        score: null,
        failedRules: [],
        reasons: [],
        error: err.message,
        ...(err instanceof MappingError ? { errorFile: err.file } : {}),
        ...(err.line ? { errorLine: err.line } : {}),
        annotations: [],
      });
    }
  }
  return reports;
}

/** One note per sample line, with every reason that line failed. */
function annotationsFor(
  reasons: readonly { reason: string; lines: readonly number[] }[],
): FileReport['annotations'] {
  const byLine = new Map<number, string[]>();
  for (const r of reasons)
    for (const line of r.lines) byLine.set(line, [...(byLine.get(line) ?? []), r.reason]);
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .slice(0, MAX_ANNOTATIONS)
    .map(([line, why]) => ({ line, title: 'Row would be quarantined', message: why.join('\n') }));
}
