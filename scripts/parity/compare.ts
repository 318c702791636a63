/**
 * Parity of the two engines that read a drop through the data contract: this one (readDrop,
 * through checkDrop, as the CLI, the Action and the local twin run it) and the Glue job's Python
 * modules (infra/glue/lib/movies_drop.py). Both read the same bytes; they must agree on every
 * row (line, raw fields, canonical values with movie_id, the contract violations as the
 * quarantine shows them, whether the row loads) or on the file error (reason and line).
 *
 * Each engine reads each file several ways, which must agree too: TypeScript in chunks of a few
 * sizes (a streaming reader must not depend on where chunks end), Python in splits of a few
 * sizes down to a handful of bytes (the splits are chained as Spark tasks chain them). Rule
 * outcomes are TypeScript's (the DQDL engine is one): Python is given, per row, the rules it
 * failed and which rules are batch gates, and decides with its own `quarantined`.
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Ruleset } from '../../quality/ast.ts';
import { FAILED } from '../../quality/results.ts';
import { checkDrop, pipelineRuleset } from '../../contract/check.ts';
import { contractJson, INPUT_COLUMNS } from '../../contract/contract.ts';
import { MappingError, parseMapping } from '../../contract/mapping.ts';
import { describeProblem, DropFileError, type Value } from '../../contract/movie-reader.ts';

const GLUE_LIBRARY = fileURLToPath(new URL('../../infra/glue/lib', import.meta.url));
export const PYTHON_SIDE = fileURLToPath(new URL('./movies_parity.py', import.meta.url));

/** The values compared: the contract's columns in order (movie_id first), then primary_genre. */
export const COMPARED_COLUMNS: readonly string[] = [...INPUT_COLUMNS.map((c) => c.name), 'primary_genre'];

export interface EngineRow {
  readonly line: number;
  readonly values: readonly Value[];
  /** The contract violations, described as the quarantine's ContractViolations column shows them. */
  readonly problems: readonly string[];
  readonly fields: readonly string[];
  readonly quarantined: boolean;
  /** The rules the row failed, when this engine evaluated them (TypeScript); shown, not compared. */
  readonly rulesFailed?: readonly string[];
}

export interface FileError {
  readonly line: number | null;
  readonly reason: string;
}

/** How the header was read: contract columns the file lacks, unknown columns (normalized), derived ids. */
export interface Layout {
  readonly absent: readonly string[];
  readonly extra: readonly string[];
  readonly derivedId: boolean;
}

/** One engine's reading of one file, one way: rows, or a file error, or an exception (a bug). */
export interface EngineRead {
  readonly layout: Layout | null;
  readonly rows: readonly EngineRow[];
  readonly error: FileError | null;
  readonly crash: string | null;
}

export interface TypeScriptRead extends EngineRead {
  /** The rules that are batch gates (the rest judge rows). */
  readonly gates: readonly string[];
}

/** A value as JSON carries it: a number JSON has no word for as Python's repr writes it. */
function plain(v: Value): Value {
  if (typeof v !== 'number' || Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** A file's bytes in chunks of `size` (the last one shorter). */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

/** The TypeScript engine's reading, in chunks of `chunkSize` bytes. */
export async function readWithTypeScript(
  bytes: Buffer,
  chunkSize: number,
  ruleset: Ruleset = pipelineRuleset(),
  mapping?: MappingSource,
): Promise<TypeScriptRead> {
  const rows: EngineRow[] = [];
  let gates: string[] | null = null;
  try {
    const { layout } = await checkDrop('drop', chunksOf(bytes, Math.max(1, chunkSize)), {
      ruleset,
      ...(mapping ? { mapping: parseMapping(mapping.text, mapping.file) } : {}),
      onRow(row, evaluation, passed) {
        const rulesFailed = evaluation.rules
          .filter((_, i) => evaluation.statuses[i] === FAILED)
          .map((r) => r.description);
        rows.push({
          line: row.line,
          values: row.values.slice(0, COMPARED_COLUMNS.length).map(plain),
          problems: row.problems.map(describeProblem),
          fields: Array.from({ length: row.record.count }, (_, i) => row.record.field(i)),
          quarantined: !passed,
          rulesFailed,
        });
        gates ??= evaluation.rules.filter((r) => r.tolerance).map((r) => r.description);
      },
    });
    const { absent, extra, derivedId } = layout;
    return {
      layout: { absent, extra, derivedId },
      rows,
      error: null,
      crash: null,
      gates: gates ?? [],
    };
  } catch (err) {
    if (err instanceof DropFileError || err instanceof MappingError)
      return {
        layout: null,
        rows: [],
        error: { line: err.line, reason: err.reason },
        crash: null,
        gates: [],
      };
    return { layout: null, rows: [], error: null, crash: (err as Error).stack ?? String(err), gates: [] };
  }
}

/** A mapping file (contract/mapping.ts) both engines parse and read a drop through. */
export interface MappingSource {
  readonly file: string;
  readonly text: string;
}

/** What Python is asked to read: a file by path or by content, in these split sizes (0: whole). */
export interface PythonFile {
  readonly path?: string;
  readonly bytes?: Buffer;
  readonly mapping?: MappingSource;
  readonly splits: readonly number[];
  readonly reference: TypeScriptRead;
}

/**
 * Python's readings, one spawn for every file: result[file][k] is file's reading in splits[k].
 * Rejects if Python cannot be run or its output is not what it should be.
 */
export async function readWithPython(
  files: readonly PythonFile[],
  python = 'python3',
): Promise<EngineRead[][]> {
  const request = {
    contract: contractJson(),
    files: files.map((f) => ({
      ...(f.path !== undefined
        ? { path: f.path }
        : { data: (f.bytes ?? Buffer.alloc(0)).toString('base64') }),
      ...(f.mapping ? { mapping: f.mapping } : {}),
      splits: f.splits,
      gates: f.reference.gates,
      failed: f.reference.rows.map((row) => [row.line, row.rulesFailed ?? []]),
    })),
  };
  type Reading = {
    layout: Layout | null;
    rows: EngineRow[];
    error: FileError | null;
    crash: string | null;
    done: boolean;
  };
  const results: Reading[][] = files.map((f) =>
    f.splits.map(() => ({ layout: null, rows: [], error: null, crash: null, done: false })),
  );
  // The Glue job's library, imported as its executors import it.
  const env = {
    ...process.env,
    PYTHONPATH: [GLUE_LIBRARY, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
  };
  const child = spawn(python, ['-B', PYTHON_SIDE], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let startError: NodeJS.ErrnoException | null = null;
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      startError = err;
      resolve(null);
    });
    child.on('close', resolve);
  });
  child.stdin.on('error', () => {}); // a Python that dies early is reported by its exit
  child.stdin.end(JSON.stringify(request));
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const text of lines) {
    const m = JSON.parse(text) as {
      f: number;
      s: number;
      layout?: Layout;
      r?: [number, Value[], string[], string[], boolean];
      end?: number;
      error?: [number | null, string];
      crash?: string;
    };
    const reading = results[m.f]?.[files[m.f]!.splits.indexOf(m.s)];
    if (!reading) throw new Error(`unexpected line from ${PYTHON_SIDE}: ${text.slice(0, 200)}`);
    if (m.layout) reading.layout = m.layout;
    else if (m.r) {
      const [line, values, problems, fields, quarantined] = m.r;
      reading.rows.push({ line, values, problems, fields, quarantined });
    } else if (m.error) {
      reading.error = { line: m.error[0], reason: m.error[1] };
      reading.done = true;
    } else if (m.crash !== undefined) {
      reading.crash = m.crash;
      reading.done = true;
    } else reading.done = true;
  }
  const code = await exited;
  if (startError)
    throw new Error(
      `${python} could not be started (${(startError as NodeJS.ErrnoException).code ?? 'error'}): the parity check needs Python 3.11 or later, as python3 on the PATH or named by PYTHON`,
    );
  if (code !== 0) throw new Error(`${python} ${PYTHON_SIDE} exited with ${code}: ${stderr.trim()}`);
  if (results.some((file) => file.some((r) => !r.done)))
    throw new Error(`${PYTHON_SIDE} ended before it read every file: ${stderr.trim()}`);
  return results.map((file) =>
    file.map(({ layout, rows, error, crash }) => ({ layout, rows, error, crash })),
  );
}

/** A difference between two readings of one file. */
export interface Disagreement {
  /** The line of the row (or of the file error) where they differ; null for a file error without one. */
  readonly line: number | null;
  /** What differs, e.g. "values (runtime_minutes)", "problems", "file error". */
  readonly what: string;
  readonly a: { readonly label: string; readonly value: unknown };
  readonly b: { readonly label: string; readonly value: unknown };
}

export interface Reading {
  readonly label: string;
  readonly read: EngineRead;
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Which parts of two rows differ (empty when they agree). */
export function rowDifferences(a: EngineRow, b: EngineRow): string[] {
  const what: string[] = [];
  if (a.line !== b.line) what.push('line');
  if (!sameValue(a.values[0], b.values[0])) what.push('movie_id');
  const columns = COMPARED_COLUMNS.filter((_, i) => i > 0 && !sameValue(a.values[i], b.values[i]));
  if (columns.length || a.values.length !== b.values.length) what.push(`values (${columns.join(', ')})`);
  if (!sameList(a.problems, b.problems)) what.push('problems');
  if (a.quarantined !== b.quarantined) what.push('quarantined');
  if (!sameList(a.fields, b.fields)) what.push('fields');
  return what;
}

function describeRead(read: EngineRead): unknown {
  if (read.crash !== null) return { crash: read.crash };
  if (read.error) return { error: read.error };
  return { rows: read.rows.length };
}

/**
 * How `b` differs from `a`: per row, or the file error. `rows` collects the indexes of the
 * rows that disagree. At most `limit` disagreements are listed (all are counted in `rows`).
 */
export function compareReadings(a: Reading, b: Reading, rows: Set<number>, limit = 5): Disagreement[] {
  const out: Disagreement[] = [];
  const say = (line: number | null, what: string, x: unknown, y: unknown): void => {
    if (out.length < limit)
      out.push({ line, what, a: { label: a.label, value: x }, b: { label: b.label, value: y } });
  };
  const ra = a.read;
  const rb = b.read;
  if (ra.crash !== null || rb.crash !== null || ra.error || rb.error) {
    const same =
      ra.crash === null &&
      rb.crash === null &&
      ra.error !== null &&
      rb.error !== null &&
      ra.error.line === rb.error.line &&
      ra.error.reason === rb.error.reason;
    if (!same) {
      say(ra.error?.line ?? rb.error?.line ?? null, 'file error', describeRead(ra), describeRead(rb));
      ra.rows.forEach((_, i) => rows.add(i));
    }
    return out;
  }
  if (JSON.stringify(ra.layout) !== JSON.stringify(rb.layout)) say(1, 'layout', ra.layout, rb.layout);
  const n = Math.max(ra.rows.length, rb.rows.length);
  for (let i = 0; i < n; i++) {
    const x = ra.rows[i];
    const y = rb.rows[i];
    if (!x || !y) {
      rows.add(i);
      say(
        (x ?? y)!.line,
        'rows',
        x ? rowJson(x) : `${ra.rows.length} rows`,
        y ? rowJson(y) : `${rb.rows.length} rows`,
      );
      continue;
    }
    const what = rowDifferences(x, y);
    if (what.length) {
      rows.add(i);
      say(x.line, what.join(', '), rowJson(x), rowJson(y));
    }
  }
  return out;
}

/** A row as printed on a disagreement: values by column name. */
export function rowJson(row: EngineRow): object {
  return {
    line: row.line,
    quarantined: row.quarantined,
    ...(row.rulesFailed ? { rulesFailed: row.rulesFailed } : {}),
    problems: row.problems,
    values: Object.fromEntries(COMPARED_COLUMNS.map((c, i) => [c, row.values[i] ?? null])),
    fields: row.fields,
  };
}

/** One disagreement for readings that differ from the reference alike (say, Python in every split size). */
function mergeAlike(list: readonly Disagreement[]): Disagreement[] {
  const merged = new Map<string, Disagreement>();
  for (const d of list) {
    const key = JSON.stringify([d.line, d.what, d.b.value]);
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, b: { ...seen.b, label: `${seen.b.label}; ${d.b.label}` } } : d);
  }
  return [...merged.values()];
}

/** Compact JSON with long strings cut (a record may be a megabyte). */
export function compactJson(value: unknown, maxString = 120): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'string' && v.length > maxString ? `${v.slice(0, maxString)}…(${v.length} chars)` : v,
  );
}

/** Chunk sizes TypeScript reads a file of this size in, besides the whole file in one chunk. */
export function chunkSizesFor(size: number): number[] {
  const sizes = size <= 1 << 16 ? [1 << 16, 4093, 7] : [1 << 20, 1 << 16, 4093];
  return [size, ...sizes.filter((s) => s < size)];
}

/** The bytes one split reads at most: its own and enough past its end to finish its last record. */
const SPLIT_READ_LIMIT = (1 << 20) + 2;

/**
 * Split sizes Python reads a file of this size in (0 is the whole file). Small splits cost a
 * read each of up to a megabyte past their end, so they are used where the reads stay cheap;
 * every file is also read in four splits, so the chaining is exercised at any size.
 */
export function splitSizesFor(size: number): number[] {
  const cheap = (s: number): boolean => {
    const splits = Math.ceil(size / s);
    return splits <= 4096 && splits * Math.min(size, s + SPLIT_READ_LIMIT) <= 32 << 20;
  };
  const sizes = [7, 64, 4096, 1 << 16, 1 << 18].filter((s) => s < size && cheap(s));
  const quarter = Math.ceil(size / 4);
  if (quarter >= 7 && !sizes.includes(quarter)) sizes.push(quarter);
  return [...sizes, 0];
}

export interface ParityInput {
  readonly name: string;
  readonly bytes: Buffer;
  /** Where Python reads the file (it is sent the bytes otherwise). */
  readonly path?: string;
  readonly chunkSizes?: readonly number[];
  readonly splitSizes?: readonly number[];
  /** Read the file through this mapping. */
  readonly mapping?: MappingSource;
}

export interface FileParity {
  readonly name: string;
  /** The readings compared: TypeScript's in one chunk first (the reference), then the others. */
  readonly readings: readonly string[];
  /** Rows of the reference reading (0 for a file error). */
  readonly rows: number;
  /** Rows every reading agrees on. */
  readonly rowsAgreeing: number;
  /** The file error, when the file is not a drop (and the readings agree on it or not). */
  readonly error: FileError | null;
  /** TypeScript's whole-file reading, which the others are compared with. */
  readonly reference: EngineRead;
  readonly disagreements: readonly Disagreement[];
  readonly agree: boolean;
}

export interface ParityOptions {
  readonly ruleset?: Ruleset;
  readonly python?: string;
  /** Disagreements listed per pair of readings (default 5). */
  readonly limit?: number;
}

function label(engine: 'TypeScript' | 'Python', size: number, whole: boolean): string {
  if (whole) return `${engine} (whole file)`;
  return `${engine} (${engine === 'Python' ? 'splits' : 'chunks'} of ${size} bytes)`;
}

/** Both engines over every input (Python spawned once), each compared with TypeScript's whole-file reading. */
export async function runParity(
  inputs: readonly ParityInput[],
  options: ParityOptions = {},
): Promise<FileParity[]> {
  const ruleset = options.ruleset ?? pipelineRuleset();
  const ts: Reading[][] = [];
  for (const input of inputs) {
    const size = input.bytes.length;
    const chunkSizes = input.chunkSizes ?? chunkSizesFor(size);
    const readings: Reading[] = [];
    for (const chunk of [size, ...chunkSizes.filter((c) => c !== size)])
      readings.push({
        label: label('TypeScript', chunk, chunk >= size),
        read: await readWithTypeScript(input.bytes, Math.max(1, chunk), ruleset, input.mapping),
      });
    ts.push(readings);
  }
  const splits = inputs.map((input) => input.splitSizes ?? splitSizesFor(input.bytes.length));
  const py = await readWithPython(
    inputs.map((input, i) => ({
      ...(input.path !== undefined ? { path: input.path } : { bytes: input.bytes }),
      ...(input.mapping ? { mapping: input.mapping } : {}),
      splits: splits[i]!,
      reference: ts[i]![0]!.read as TypeScriptRead,
    })),
    options.python,
  );
  return inputs.map((input, i) => {
    const size = input.bytes.length;
    const readings = [
      ...ts[i]!,
      ...splits[i]!.map((s, k) => ({ label: label('Python', s, s === 0 || s >= size), read: py[i]![k]! })),
    ];
    const reference = readings[0]!;
    const bad = new Set<number>();
    const disagreements = mergeAlike(
      readings.slice(1).flatMap((other) => compareReadings(reference, other, bad, options.limit ?? 5)),
    );
    const rows = reference.read.rows.length;
    return {
      name: input.name,
      readings: readings.map((r) => r.label),
      rows,
      rowsAgreeing: rows - [...bad].filter((i) => i < rows).length,
      error: reference.read.error,
      reference: reference.read,
      disagreements,
      agree: disagreements.length === 0,
    };
  });
}

/** The one-line summary of a file. */
export function summaryLine(file: FileParity): string {
  const ways = `${file.readings.length} readings`;
  if (file.error) {
    const error = `${file.error.line === null ? '' : `line ${file.error.line}: `}${file.error.reason}`;
    return file.agree
      ? `${file.name}: not a drop, and every reading agrees (${ways}): ${error}`
      : `${file.name}: not a drop for ${file.readings[0]} (${error}), and the readings DISAGREE`;
  }
  return `${file.name}: ${file.rows} rows compared, ${file.rowsAgreeing} agree (${ways})${file.agree ? '' : '; the readings DISAGREE'}`;
}

/** A disagreement as printed: file, line and what differs, then both sides as compact JSON. */
export function disagreementText(file: string, d: Disagreement): string {
  const where = d.line === null ? file : `${file}:${d.line}`;
  return `${where}: ${d.what} differ\n  ${d.a.label}: ${compactJson(d.a.value)}\n  ${d.b.label}: ${compactJson(d.b.value)}\n`;
}
