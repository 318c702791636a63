/**
 * A column mapping: how the drops of one source name and shape the contract's columns. The data
 * team keeps it beside the drops (`movies.mapping`), one line per column:
 *
 *     # Box-office exports
 *     title: Title
 *     release_year: Release Date | year from date "MMM d yyyy"
 *     genres: Major Genre | list "/"
 *     certificate: = "NR"
 *
 * A line maps a source header (or, after `=`, a constant) to a contract column, then applies the
 * transforms after `|`, left to right, to each cell's text before the contract coerces it. A cell
 * a transform cannot read is left as it was, so the contract's own message shows the raw value.
 * The Glue job has the same parser and transforms (infra/glue/lib/movies_mapping.py); the tests
 * run both on the same files and values. Only ASCII is special here, so both engines agree.
 */
import { INPUT_COLUMNS } from './contract.ts';

export type Transform =
  | { readonly kind: 'year-from-date'; readonly format: string }
  | { readonly kind: 'minutes' }
  | { readonly kind: 'money' }
  | { readonly kind: 'number'; readonly thousands: ',' | '.' }
  | { readonly kind: 'list'; readonly separator: string }
  | { readonly kind: 'trim' | 'lower' | 'upper' | 'title' };

export interface MappedColumn {
  readonly column: string;
  /** The source header, as written (matched after the contract's header normalization). */
  readonly source?: string;
  /** A value for every row, when the drop has no such column. */
  readonly constant?: string;
  readonly transforms: readonly Transform[];
  readonly line: number;
}

export interface Mapping {
  readonly file: string;
  readonly columns: readonly MappedColumn[];
}

/** What is wrong with a mapping file, and where: `file:line: why`. */
export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

export const TRANSFORM_NAMES = [
  'year from date "FORMAT"',
  'minutes',
  'money',
  'number "," or number "."',
  'list "SEPARATOR"',
  'trim',
  'lower',
  'upper',
  'title',
];

const COLUMNS = INPUT_COLUMNS.map((c) => c.name);
/** Date format tokens, longest first: a year, a month by name or number, a day. */
const DATE_TOKENS = ['yyyy', 'yy', 'MMMM', 'MMM', 'MM', 'M', 'dd', 'd'];

/** Parses a mapping file; the first problem is a MappingError naming its line. */
export function parseMapping(text: string, file: string): Mapping {
  const columns: MappedColumn[] = [];
  for (const [i, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const line = i + 1;
    const content = trim(stripComment(raw));
    if (!content) continue;
    const fail = (reason: string): never => {
      throw new MappingError(file, line, reason);
    };
    const colon = content.indexOf(':');
    if (colon < 0) fail(`expected "column: source header", found "${content}"`);
    const column = trim(content.slice(0, colon));
    if (!COLUMNS.includes(column))
      fail(`"${column}" is not a contract column${closest(column)}; the columns are: ${COLUMNS.join(', ')}`);
    const earlier = columns.find((c) => c.column === column);
    if (earlier) fail(`${column} is mapped twice (lines ${earlier.line} and ${line}); keep one`);
    const [head = '', ...steps] = splitSteps(content.slice(colon + 1));
    const source = trim(head);
    if (!source) fail(`${column} has no source header (or = "constant")`);
    const transforms = steps.map((s) => transform(trim(s), fail));
    if (source.startsWith('=')) {
      const constant = quoted(trim(source.slice(1)));
      if (constant === null) fail(`the constant for ${column} must be in double quotes: = "value"`);
      columns.push({ column, constant: constant!, transforms, line });
    } else columns.push({ column, source: unquote(source), transforms, line });
  }
  return { file, columns };
}

/** Spaces and tabs off both ends: only ASCII, as in the Glue job's twin of this module. */
const trim = (text: string): string => text.replace(/^[ \t]+|[ \t]+$/g, '');

/** A `#` starts a comment, unless it is inside double quotes. */
function stripComment(line: string): string {
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') inQuotes = !inQuotes;
    else if (line[i] === '#' && !inQuotes) return line.slice(0, i);
  }
  return line;
}

/** The text after the column, split at each `|` outside double quotes. */
function splitSteps(spec: string): string[] {
  const out = [''];
  let inQuotes = false;
  for (const c of spec) {
    if (c === '"') inQuotes = !inQuotes;
    if (c === '|' && !inQuotes) out.push('');
    else out[out.length - 1] += c;
  }
  return out;
}

/** The text of `"..."` (a doubled quote is one inside), or null if `text` is not one quoted string. */
function quoted(text: string): string | null {
  const m = /^"((?:[^"]|"")*)"$/.exec(text);
  return m ? m[1]!.replace(/""/g, '"') : null;
}

const unquote = (text: string): string => quoted(text) ?? text;

function transform(step: string, fail: (reason: string) => never): Transform {
  const m = /^([a-z][a-z ]*?)[ \t]*("(?:[^"]|"")*")?$/.exec(step);
  const name = m?.[1] ?? step;
  const arg = m?.[2] === undefined ? undefined : quoted(m[2])!;
  const noArg = (t: Transform): Transform =>
    arg === undefined ? t : fail(`the transform ${name} takes no argument`);
  switch (name) {
    case 'year from date': {
      if (arg === undefined) return fail('year from date needs its format, e.g. year from date "MMM d yyyy"');
      const problem = dateFormatProblem(arg);
      return problem ? fail(problem) : { kind: 'year-from-date', format: arg };
    }
    case 'number':
      if (arg !== ',' && arg !== '.')
        return fail('number needs its thousands separator: number "," (1,234.5) or number "." (1.234,5)');
      return { kind: 'number', thousands: arg };
    case 'list':
      if (!arg) return fail('list needs its separator, e.g. list "/"');
      return { kind: 'list', separator: arg };
    case 'minutes':
    case 'money':
    case 'trim':
    case 'lower':
    case 'upper':
    case 'title':
      return noArg({ kind: name });
    default:
      return fail(`"${step}" is not a transform; the transforms are: ${TRANSFORM_NAMES.join(', ')}`);
  }
}

/** Why a date format cannot be read (no year, a letter that is no token), or null. */
function dateFormatProblem(format: string): string | null {
  let year = false;
  for (let i = 0; i < format.length;) {
    const token = DATE_TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      year ||= token.startsWith('y');
      i += token.length;
    } else if (/[A-Za-z]/.test(format[i]!))
      return `the date format "${format}" has "${format[i]}", which is none of yyyy, yy, MMMM, MMM, MM, M, dd, d`;
    else i++;
  }
  return year ? null : `the date format "${format}" has no year (yyyy or yy)`;
}

/**
 * ` (did you mean x?)` for the contract column spelled nearest to `name`, if one is near, or else
 * the first whose words include all of the name's (runtime → runtime_minutes).
 */
function closest(name: string): string {
  const lower = name.toLowerCase();
  let best: [string, number] | undefined;
  for (const c of COLUMNS) {
    const d = distance(lower, c);
    if (!best || d < best[1]) best = [c, d];
  }
  if (best && best[1] <= Math.max(2, Math.floor(best[0].length / 3))) return ` (did you mean ${best[0]}?)`;
  const words = lower.split(/[ \t_-]+/).filter(Boolean);
  const containing = COLUMNS.find((c) => words.length && words.every((w) => c.split('_').includes(w)));
  return containing ? ` (did you mean ${containing}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Applies one transform to a cell's text; a cell it cannot read comes back as it was. */
export function applyTransform(t: Transform, text: string): string {
  switch (t.kind) {
    case 'year-from-date':
      return yearFromDate(t.format, text) ?? text;
    case 'minutes': {
      const m =
        /^[ \t]*(?:([0-9]+)[ \t]*h(?:ours?|rs?)?[ \t]*)?(?:([0-9]+)[ \t]*(?:m|min|mins|minutes?)?)?[ \t]*$/i.exec(
          text,
        );
      const hm = /^[ \t]*([0-9]+):([0-5][0-9])[ \t]*$/.exec(text);
      if (hm) return String(Number(hm[1]) * 60 + Number(hm[2]));
      if (m && (m[1] !== undefined || m[2] !== undefined))
        return String(Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0));
      return text;
    }
    case 'money': {
      const bare = text.replace(/[ \t$€£,]/g, '');
      return /^[+-]?[0-9]+(\.[0-9]+)?$/.test(bare) ? bare.replace(/\.[0-9]+$/, '') : text;
    }
    case 'number': {
      const decimal = t.thousands === ',' ? '.' : ',';
      const bare = text
        .replace(/^[ \t]+|[ \t]+$/g, '')
        .split(t.thousands)
        .join('')
        .replace(decimal, '.');
      return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(bare) ? bare : text;
    }
    case 'list':
      return text.split(t.separator).map(trim).filter(Boolean).join(', ');
    case 'trim':
      return trim(text);
    case 'lower':
      return text.toLowerCase();
    case 'upper':
      return text.toUpperCase();
    case 'title':
      return text
        .toLowerCase()
        .replace(/(^|[^A-Za-z'])([a-z])/g, (_, before: string, c: string) => before + c.toUpperCase());
  }
}

/**
 * The four-digit year of `text` read with `format`, or null if it does not match. Two-digit years
 * pivot as POSIX strptime's do: 69–99 are 1969–1999, 00–68 are 2000–2068.
 */
function yearFromDate(format: string, text: string): string | null {
  let pattern = '';
  let yearGroup = '';
  for (let i = 0; i < format.length;) {
    const token = DATE_TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      const part: Record<string, string> = {
        yyyy: '([0-9]{4})',
        yy: '([0-9]{2})',
        MMMM: '([A-Za-z]+)',
        MMM: '([A-Za-z]{3})',
        MM: '([0-9]{2})',
        M: '([0-9]{1,2})',
        dd: '([0-9]{2})',
        d: '([0-9]{1,2})',
      };
      pattern += part[token];
      if (token.startsWith('y')) yearGroup = token;
      i += token.length;
    } else {
      pattern += format[i] === ' ' ? '[ \\t]+' : format[i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      i++;
    }
  }
  const m = new RegExp(`^[ \\t]*${pattern}[ \\t]*$`).exec(text);
  if (!m) return null;
  // Groups in format order: the month by name must be one.
  let g = 1;
  let year = '';
  for (let i = 0; i < format.length;) {
    const token = DATE_TOKENS.find((t) => format.startsWith(t, i));
    if (!token) {
      i++;
      continue;
    }
    const value = m[g++]!;
    if (token === 'MMM' && !MONTHS.includes(value.toLowerCase())) return null;
    if (token === 'MMMM' && !FULL_MONTHS.includes(value.toLowerCase())) return null;
    if (token === yearGroup) year = value;
    i += token.length;
  }
  if (year.length === 4) return year;
  const yy = Number(year);
  return String(yy >= 69 ? 1900 + yy : 2000 + yy);
}
