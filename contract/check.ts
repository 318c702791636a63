/**
 * Checks one drop against the contract and a ruleset in a single streaming pass: the same
 * verdict the pipeline would reach, the Glue-shaped result, the most common reasons rows
 * failed, and (optionally) good.csv / bad.csv as the pipeline would load and quarantine them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ruleset } from '../quality/ast.ts';
import { Evaluation, type EvaluatedRule } from '../quality/evaluate.ts';
import { parseRuleset } from '../quality/parser.ts';
import { FAILED, PASSED, type DataQualityResult } from '../quality/results.ts';
import { contractColumnFor, INPUT_COLUMNS } from './contract.ts';
import { AtomicCsvWriter, spreadsheetSafe } from './csv-writer.ts';
import { describeProblem, readDrop, type DropLayout, type MovieRow } from './movie-reader.ts';
import type { Mapping } from './mapping.ts';
import { decideBatch, type BatchDecision } from './policy.ts';

export const DEFAULT_RULESET_PATH = fileURLToPath(new URL('./movies.dqdl', import.meta.url));

let defaultRuleset: Ruleset | null = null;
/** The pipeline's own ruleset (contract/movies.dqdl). */
export function pipelineRuleset(): Ruleset {
  defaultRuleset ??= parseRuleset(readFileSync(DEFAULT_RULESET_PATH, 'utf8'));
  return defaultRuleset;
}

export interface FailureReason {
  /** A failed row check in DQDL, or a contract violation such as "release_year is not a four-digit year". */
  readonly reason: string;
  readonly rows: number;
  /** The first few lines where it happened. */
  readonly lines: readonly number[];
}

export interface DropCheck {
  readonly file: string;
  readonly layout: DropLayout;
  readonly rules: readonly EvaluatedRule[];
  readonly result: DataQualityResult;
  readonly decision: BatchDecision;
  /** Why rows failed (contract violations and row checks, never batch gates), most common first. */
  readonly reasons: readonly FailureReason[];
}

export interface CheckOptions {
  readonly ruleset?: Ruleset;
  /** The source's column mapping (movies.mapping), applied as the header and cells are read. */
  readonly mapping?: Mapping;
  /** Write good.csv and bad.csv to these paths. */
  readonly goodPath?: string;
  readonly badPath?: string;
  readonly now?: Date;
  /** Sample lines kept per failure reason (default 5). */
  readonly sampleLines?: number;
  /**
   * Called for every row once it is judged, with each rule's status for it (`evaluation.statuses`)
   * and whether it would load; every column is then read. The row is reused: copy what you keep.
   */
  readonly onRow?: (row: MovieRow, evaluation: Evaluation, passed: boolean) => void;
}

/** The columns bad.csv adds after a row's own fields: its verdict (the Glue library's OUTCOME_COLUMNS). */
export const ROW_VERDICT_COLUMNS = [
  'ContractViolations',
  'DataQualityRulesPass',
  'DataQualityRulesFail',
  'DataQualityRulesSkip',
  'DataQualityEvaluationResult',
] as const;

export async function checkDrop(
  file: string,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: CheckOptions = {},
): Promise<DropCheck> {
  const ruleset = options.ruleset ?? pipelineRuleset();
  // Writing rows out, or handing them to onRow, needs every column; a check only those the rules read.
  const everyColumn = Boolean(options.goodPath || options.badPath || options.onRow);
  const sampleLines = options.sampleLines ?? 5;
  let evaluation: Evaluation | null = null;
  let layout: DropLayout | null = null;
  const reasons = new Map<string, { rows: number; lines: number[] }>();
  const good = options.goodPath ? new AtomicCsvWriter(options.goodPath) : null;
  const bad = options.badPath ? new AtomicCsvWriter(options.badPath) : null;
  let canonicalWidth = 0;

  const note = (reason: string, line: number): void => {
    let r = reasons.get(reason);
    if (!r) reasons.set(reason, (r = { rows: 0, lines: [] }));
    r.rows++;
    if (r.lines.length < sampleLines) r.lines.push(line);
  };

  // The text a cell had in the file, so that a sample shows "Jun 12 1998" rather than the NULL
  // it could not be read as; one function for every row, reading the row in hand.
  let current: MovieRow | null = null;
  const raw = (column: number): string | undefined => {
    const field = layout?.fieldOf[column] ?? -1;
    return current && field >= 0 && field < current.record.count ? current.record.field(field) : undefined;
  };

  const onRow = (row: MovieRow): void => {
    const ev = evaluation!;
    current = row;
    const passed = ev.row(row.values, row.line, row.problems.length === 0, raw);
    if (!passed) {
      for (const p of row.problems) note(p.reason, row.line);
      // Only row checks route rows; a gate's row-level failure is in bad.csv, not a reason.
      for (let i = 0; i < ev.statuses.length; i++)
        if (ev.statuses[i] === FAILED && !ev.rules[i]!.tolerance) note(ev.rules[i]!.description, row.line);
    }
    if (passed) good?.row(row.values.slice(0, canonicalWidth));
    else if (bad) writeBadRow(bad, row, layout!, ev);
    options.onRow?.(row, ev, passed);
  };

  try {
    await readDrop(file, chunks, onRow, {
      ...(everyColumn ? {} : { columns: columnsUsedBy(ruleset) }),
      ...(options.mapping ? { mapping: options.mapping } : {}),
      onLayout(l) {
        layout = l;
        canonicalWidth = INPUT_COLUMNS.length + 1; // + primary_genre
        evaluation = new Evaluation(ruleset, {
          columns: l.schema,
          presentColumns: l.schema
            .filter(
              (c) =>
                !l.absent.includes(c.name) && (c.name !== 'primary_genre' || !l.absent.includes('genres')),
            )
            .map((c) => c.name),
          resolveColumn: (name) => contractColumnFor(name)?.name,
          ...(options.now ? { now: options.now } : {}),
        });
        good?.row(l.schema.slice(0, canonicalWidth).map((c) => c.name));
        bad?.row(['source_line', ...l.header.map(spreadsheetSafe), ...ROW_VERDICT_COLUMNS]);
      },
    });
    const ev = evaluation! as Evaluation;
    const result = ev.finish();
    good?.commit();
    bad?.commit();
    return {
      file,
      layout: layout!,
      rules: ev.rules,
      result,
      decision: decideBatch(ev.rules, result),
      reasons: [...reasons.entries()]
        .map(([reason, r]) => ({ reason, rows: r.rows, lines: r.lines }))
        .sort((a, b) => b.rows - a.rows || a.lines[0]! - b.lines[0]!),
    };
  } catch (err) {
    good?.abort();
    bad?.abort();
    throw err;
  }
}

function writeBadRow(bad: AtomicCsvWriter, row: MovieRow, layout: DropLayout, ev: Evaluation): void {
  const width = Math.max(layout.header.length, row.record.count);
  const cells: string[] = [];
  for (let i = 0; i < layout.header.length; i++) cells.push(spreadsheetSafe(row.record.field(i)));
  // Fields beyond the header are kept, joined into the last column, so nothing is lost.
  if (width > layout.header.length) {
    const overflow = Array.from({ length: width - layout.header.length }, (_, k) =>
      row.record.field(layout.header.length + k),
    );
    cells[cells.length - 1] += `,${overflow.join(',')}`;
  }
  const pass: string[] = [];
  const fail: string[] = [];
  const skip: string[] = [];
  ev.statuses.forEach((s, i) =>
    (s === PASSED ? pass : s === FAILED ? fail : skip).push(ev.rules[i]!.description),
  );
  bad.row([
    row.line,
    ...cells,
    JSON.stringify(row.problems.map(describeProblem)),
    JSON.stringify(pass),
    JSON.stringify(fail),
    JSON.stringify(skip),
    'Failed',
  ]);
}

/** Columns the ruleset reads: rule parameters and names in where clauses (a superset is fine). */
export function columnsUsedBy(ruleset: Ruleset): Set<string> {
  const names = new Set<string>();
  const add = (name: string): void => {
    names.add(contractColumnFor(name)?.name ?? name);
    names.add(name);
  };
  const visit = (node: Ruleset['rules'][number]): void => {
    if (node.kind === 'composite') return node.operands.forEach(visit);
    node.params.forEach(add);
    for (const word of node.where?.match(/[A-Za-z_][A-Za-z0-9_]*|`[^`]+`/g) ?? [])
      add(word.replace(/`/g, ''));
  };
  ruleset.rules.forEach(visit);
  ruleset.analyzers.forEach(visit);
  return names;
}
