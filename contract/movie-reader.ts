/**
 * Reads a drop through the contract: resolves the header, rejects files that cannot be a drop
 * (with file and line), and turns each record into canonical typed values. Row-level defects
 * never throw: they become `problems` on the row, which then fails and is quarantined.
 */
import { CsvFileError, CsvReader, type CsvRecord } from './csv.ts';
import { coerce, deriveMovieId, EXPECTED, INVALID } from './coerce.ts';
import {
  contractColumnFor,
  DERIVED_COLUMNS,
  fitsSqlType,
  INPUT_COLUMNS,
  normalizeHeader,
  valueTypeOf,
  type Coercion,
  type InputColumn,
} from './contract.ts';
import { applyTransform, type Mapping, type Transform } from './mapping.ts';
import type { ValueType } from '../quality/rules/compiled-rule.ts';

export type Value = string | number | null;

export interface SchemaColumn {
  readonly name: string;
  readonly type: ValueType;
}

/** A file that cannot be read as a drop at all: exit 2 territory. */
export class DropFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'DropFileError';
  }
}

export interface MovieRow {
  /** Line where the record starts in the file. */
  readonly line: number;
  /** Canonical values, indexed like `schema`. */
  readonly values: Value[];
  /** How this row breaks the contract (ragged, a value of the wrong type, ...); empty if it does not. */
  readonly problems: Problem[];
  /** The raw record, for writing the row back out as it came in. */
  readonly record: CsvRecord;
}

/** One way a row breaks the contract. `reason` is the same for every row with this fault. */
export interface Problem {
  readonly reason: string;
  /** The offending text, when there is one. */
  readonly value?: string;
}

export function describeProblem(p: Problem): string {
  return p.value === undefined ? p.reason : `${p.reason} (${JSON.stringify(clip(p.value))})`;
}

export interface DropLayout {
  /** Header as it appears in the file. */
  readonly header: string[];
  /** Columns rows carry: every contract column (present or not), primary_genre, then unknown headers. */
  readonly schema: SchemaColumn[];
  /** Contract columns the file does not have (their values are NULL). */
  readonly absent: string[];
  /** The file has no id column: movie_id is derived from title and release year. */
  readonly derivedId: boolean;
  /** Headers the contract does not know, kept as text columns under their normalized name. */
  readonly extra: string[];
  /** For each schema column, the CSV field it is read from (-1: absent, derived or a constant). */
  readonly fieldOf: readonly number[];
  /** The mapping file applied to the header, if any. */
  readonly mapping?: string;
}

/** What the header resolution hands the row reader besides the layout. */
interface Resolved extends DropLayout {
  readonly fields: Map<string, number>;
  /** Columns the mapping gives one value for every row. */
  readonly constants: Map<string, string>;
  /** Columns whose cells the mapping transforms before the contract coerces them. */
  readonly transforms: Map<string, readonly Transform[]>;
}

export interface ReadOptions {
  /** Only these schema columns need values (others stay NULL); default all. */
  readonly columns?: ReadonlySet<string>;
  /** Called once the header is resolved, before any row. */
  readonly onLayout?: (layout: DropLayout) => void;
  /** How this source names and shapes the contract's columns (contract/mapping.ts). */
  readonly mapping?: Mapping;
}

export interface ReadSummary {
  readonly layout: DropLayout;
  readonly rows: number;
}

const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

interface Slot {
  readonly index: number; // schema index
  readonly field: number; // CSV field index, -1 when the file lacks the column
  readonly name: string;
  readonly coercion: Coercion;
  /** A column the contract does not know: kept as the text it is. */
  readonly raw: boolean;
  /** Whether the value is kept (a rule or an output reads it), not only checked. */
  readonly keep: boolean;
  /** The table column's size (VARCHAR(n) is n bytes, as in Redshift). */
  readonly maxBytes: number;
  /** The table column's type: a number must fit it. */
  readonly sqlType: string;
  /** The mapping's value for every row, instead of a field. */
  readonly constant: string | undefined;
  /** The mapping's transforms, applied to the text before it is coerced. */
  readonly transforms: readonly Transform[];
}

const PRIMARY_GENRE_BYTES = varcharBytes(DERIVED_COLUMNS.find((c) => c.name === 'primary_genre')!.sqlType);

function varcharBytes(sqlType: string): number {
  const m = /^VARCHAR\((\d+)\)$/.exec(sqlType);
  return m ? Number(m[1]) : Infinity;
}

/**
 * Resolve the header against the contract (and the source's mapping, when it has one), or explain
 * in one sentence why it cannot be a drop. A mapped column is read from its source header only: a
 * header naming the same column too is a conflict, never a silent choice.
 */
export function resolveHeader(file: string, header: string[], mapping?: Mapping): Resolved {
  if (header.length === 1) {
    const only = header[0]!;
    for (const [sep, label] of [
      [';', 'semicolons'],
      ['\t', 'tabs'],
      ['|', 'pipes'],
    ] as const) {
      if (only.includes(sep))
        throw new DropFileError(
          file,
          1,
          `the header is separated by ${label}; drops must be comma-separated`,
        );
    }
  }
  const fields = new Map<string, number>();
  const constants = new Map<string, string>();
  const transforms = new Map<string, readonly Transform[]>();
  const mappedFrom = new Map<number, string>(); // field index → the column the mapping reads from it
  for (const m of mapping?.columns ?? []) {
    if (m.transforms.length) transforms.set(m.column, m.transforms);
    if (m.constant !== undefined) {
      constants.set(m.column, m.constant);
      continue;
    }
    const wanted = normalizeHeader(m.source!);
    const at = header.findIndex((h) => normalizeHeader(h) === wanted);
    if (at < 0)
      throw new DropFileError(
        file,
        1,
        `${m.column} is mapped from "${m.source}" (${mapping!.file}:${m.line}), which the header does not have; the headers are: ${header.map((h) => JSON.stringify(clip(h))).join(', ')}`,
      );
    fields.set(m.column, at);
    mappedFrom.set(at, m.column);
  }
  const mapped = (name: string): MappedWhere | undefined => {
    const m = mapping?.columns.find((c) => c.column === name);
    return m && { file: mapping!.file, line: m.line };
  };
  const extra: string[] = [];
  const unknown: string[] = [];
  header.forEach((raw, i) => {
    if (mappedFrom.has(i)) return;
    const column = contractColumnFor(raw);
    const name = column?.name ?? normalizeHeader(raw);
    if (name === '') return;
    const by = mapped(name);
    if (by)
      throw new DropFileError(
        file,
        1,
        `column ${i + 1} ("${raw}") names ${name}, which ${by.file}:${by.line} maps from elsewhere; drop that mapping line or rename the column`,
      );
    const seen = fields.get(name);
    if (seen !== undefined)
      throw new DropFileError(
        file,
        1,
        `columns ${seen + 1} ("${header[seen]}") and ${i + 1} ("${raw}") both name "${name}"`,
      );
    fields.set(name, i);
    if (!column) {
      extra.push(name);
      unknown.push(raw);
    }
  });
  const given = (name: string): boolean => fields.has(name) || constants.has(name);
  const missing = INPUT_COLUMNS.filter((c) => c.required && !given(c.name));
  if (missing.length) {
    const list = missing.map(describeColumn).join('; ');
    throw new DropFileError(
      file,
      1,
      `missing required column${missing.length > 1 ? 's' : ''}: ${list}${unrecognised(unknown)}${missing.map((c) => mappingHint(c, unknown)).join('')}`,
    );
  }
  const schema: SchemaColumn[] = [
    ...INPUT_COLUMNS.map((c) => ({ name: c.name, type: valueTypeOf(c.coercion) })),
    { name: 'primary_genre', type: 'string' as const },
    ...extra.map((name) => ({ name, type: 'string' as const })),
  ];
  const derivedId = !given('movie_id');
  const absent = INPUT_COLUMNS.filter((c) => !given(c.name) && c.name !== 'movie_id').map((c) => c.name);
  const fieldOf = schema.map((c) => fields.get(c.name) ?? -1);
  return {
    header,
    schema,
    absent,
    derivedId,
    extra,
    fieldOf,
    ...(mapping ? { mapping: mapping.file } : {}),
    fields,
    constants,
    transforms,
  };
}

interface MappedWhere {
  readonly file: string;
  readonly line: number;
}

function describeColumn(c: InputColumn): string {
  return `${c.name} (also accepted: ${c.aliases.join(', ')})`;
}

/** `. Headers not recognised: "A", "B"` (at most ten, each cut short), or nothing. */
function unrecognised(unknown: readonly string[]): string {
  if (!unknown.length) return '';
  const shown = unknown.slice(0, 10).map((h) => JSON.stringify(clip(h)));
  const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : '';
  return `. Headers not recognised: ${shown.join(', ')}${more}`;
}

/**
 * For a missing column, the unrecognised header sharing most words with its name or aliases (the
 * first on a tie), and what to do with it: `. release_year may be "Release Date": ...`.
 */
function mappingHint(c: InputColumn, unknown: readonly string[]): string {
  const words = new Set([c.name, ...c.aliases].flatMap((n) => n.split('_')));
  let best: string | undefined;
  let bestScore = 0;
  for (const h of unknown) {
    const score = new Set(
      normalizeHeader(h)
        .split('_')
        .filter((w) => words.has(w)),
    ).size;
    if (score > bestScore) [best, bestScore] = [h, score];
  }
  if (best === undefined) return '';
  const source = clip(best);
  const date = c.coercion === 'year' && normalizeHeader(best).split('_').includes('date');
  const todo = date
    ? `it names a date, so map its year in a movies.mapping beside the file (${c.name}: ${source} | year from date "MMM d yyyy", with the dates' format)`
    : `rename it ${c.name}, or map it in a movies.mapping beside the file (${c.name}: ${source})`;
  return `. ${c.name} may be ${JSON.stringify(source)}: ${todo}; movies map <file> proposes a mapping`;
}

/**
 * Stream a drop from `chunks`, calling `onRow` for each data row (the row object is reused:
 * copy what you keep). Throws DropFileError for file-level faults.
 */
export async function readDrop(
  file: string,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  onRow: (row: MovieRow) => void,
  options: ReadOptions = {},
): Promise<ReadSummary> {
  let layout: Resolved | null = null;
  let slots: Slot[] = [];
  let movieIdSlot = -1;
  let titleIndex = -1;
  let yearIndex = -1;
  let genresIndex = -1;
  let primaryGenreIndex = -1;
  let rows = 0;
  let values: Value[] = [];
  const problems: Problem[] = [];
  const row = { line: 0, values, problems, record: null as unknown as CsvRecord };

  const onRecord = (record: CsvRecord): void => {
    if (!layout) {
      const header = Array.from({ length: record.count }, (_, i) => record.field(i));
      layout = resolveHeader(file, header, options.mapping);
      const fields = layout.fields;
      const wanted = (name: string): boolean =>
        !options.columns ||
        options.columns.has(name) ||
        // movie_id is derived from title and year on every row (its length is checked), and
        // primary_genre from genres.
        name === 'title' ||
        name === 'release_year' ||
        (options.columns.has('primary_genre') && name === 'genres');
      // Every contract column is checked on every row (a value of the wrong type or too long
      // for the table fails the row whatever the ruleset reads); only the values rules need are kept.
      slots = layout.schema
        .map((col, index) => ({ col, index }))
        .filter(
          ({ col }) =>
            col.name !== 'primary_genre' &&
            (wanted(col.name) || INPUT_COLUMNS.some((c) => c.name === col.name)),
        )
        .map(({ col, index }) => {
          const contract = INPUT_COLUMNS.find((c) => c.name === col.name);
          return {
            index,
            field: fields.get(col.name) ?? -1,
            name: col.name,
            coercion: contract?.coercion ?? 'text',
            raw: !contract,
            keep: wanted(col.name),
            maxBytes: contract ? varcharBytes(contract.sqlType) : Infinity,
            sqlType: contract?.sqlType ?? 'VARCHAR',
            constant: layout!.constants.get(col.name),
            transforms: layout!.transforms.get(col.name) ?? [],
          };
        });
      const indexOf = (name: string): number => layout!.schema.findIndex((c) => c.name === name);
      movieIdSlot = slots.findIndex((s) => s.name === 'movie_id');
      titleIndex = indexOf('title');
      yearIndex = indexOf('release_year');
      genresIndex = indexOf('genres');
      primaryGenreIndex = wanted('primary_genre') ? indexOf('primary_genre') : -1;
      values = row.values = new Array<Value>(layout.schema.length).fill(null);
      options.onLayout?.(layout);
      return;
    }
    rows++;
    row.line = record.line;
    row.record = record;
    problems.length = 0;
    if (record.defect) problems.push({ reason: record.defect });
    if (record.count !== layout.header.length)
      problems.push({ reason: `expected ${layout.header.length} fields, found ${record.count}` });
    for (const slot of slots) {
      if (slot.field < 0 && slot.constant === undefined) {
        values[slot.index] = null;
        continue;
      }
      // Plain text no rule reads needs only its length checked, and its raw size bounds that.
      if (
        !slot.keep &&
        slot.coercion === 'text' &&
        !slot.transforms.length &&
        slot.field >= 0 &&
        record.fieldBytes(slot.field) <= slot.maxBytes
      )
        continue;
      const text = slot.constant ?? record.field(slot.field);
      if (slot.raw) {
        values[slot.index] = text;
        continue;
      }
      let mapped = text;
      for (const t of slot.transforms) mapped = applyTransform(t, mapped);
      const v = coerce(slot.coercion, mapped);
      // A value its column cannot hold is a problem of the row (quarantined, never loaded), but
      // still the value for the rules: a 600-byte title is not a missing one.
      if (typeof v === 'string' && v.length * 3 > slot.maxBytes && Buffer.byteLength(v) > slot.maxBytes)
        problems.push({ reason: `${slot.name} is longer than ${slot.maxBytes} bytes`, value: v });
      else if (v === INVALID) {
        problems.push({ reason: `${slot.name} is not ${EXPECTED[slot.coercion]}`, value: text });
        values[slot.index] = null;
        continue;
      } else if (typeof v === 'number' && !fitsSqlType(slot.sqlType, v))
        problems.push({ reason: `${slot.name} is out of range for ${slot.sqlType}`, value: text });
      values[slot.index] = v;
    }
    // The derived columns, checked against their own columns on every row.
    const idSlot = slots[movieIdSlot]!;
    if (values[idSlot.index] === null) {
      const title = values[titleIndex];
      const year = values[yearIndex];
      const id = typeof title === 'string' && typeof year === 'number' ? deriveMovieId(title, year) : null;
      if (id !== null && id.length * 3 > idSlot.maxBytes && Buffer.byteLength(id) > idSlot.maxBytes)
        problems.push({
          reason: `movie_id (derived from title and year) is longer than ${idSlot.maxBytes} bytes`,
          value: id,
        });
      values[idSlot.index] = id;
    }
    const genres = values[genresIndex];
    const primary = typeof genres === 'string' ? genres.split(', ', 1)[0]! : null;
    if (primary !== null && Buffer.byteLength(primary) > PRIMARY_GENRE_BYTES)
      problems.push({
        reason: `the first genre is longer than ${PRIMARY_GENRE_BYTES} bytes`,
        value: primary,
      });
    if (primaryGenreIndex >= 0) values[primaryGenreIndex] = primary;
    onRow(row);
  };

  const reader = new CsvReader(onRecord);
  // The file's first bytes, held until they are enough to tell a Git LFS pointer (a chunk may be 1 byte).
  let head: Buffer | null = Buffer.alloc(0);
  try {
    for await (const chunk of chunks) {
      if (head) {
        head = Buffer.concat([head, chunk]);
        const start = head.subarray(0, LFS_POINTER.length).toString('latin1');
        if (start === LFS_POINTER)
          throw new DropFileError(
            file,
            1,
            'this is a Git LFS pointer, not the data (check out with LFS enabled, e.g. actions/checkout with lfs: true)',
          );
        if (LFS_POINTER.startsWith(start)) continue;
        reader.push(head);
        head = null;
        continue;
      }
      reader.push(chunk);
    }
    if (head?.length) reader.push(head);
    reader.end();
  } catch (err) {
    if (err instanceof CsvFileError) throw new DropFileError(file, err.line, err.reason);
    throw err;
  }
  if (!layout) throw new DropFileError(file, null, 'the file is empty');
  if (rows === 0) throw new DropFileError(file, null, 'the file has a header but no data rows');
  const { fields: _fields, constants: _constants, transforms: _transforms, ...plain } = layout as Resolved;
  return { layout: plain, rows };
}

/** The value trimmed, and cut to 37 characters (code points) plus "..." if it has more than 40. */
function clip(text: string): string {
  const t = text.trim();
  let cut = 0;
  for (let i = 0, n = 0; i < t.length; n++) {
    if (n === 37) cut = i;
    if (n === 40) return `${t.slice(0, cut)}...`;
    i += t.codePointAt(i)! > 0xffff ? 2 : 1;
  }
  return t;
}
