/** Conditions and operands, turned into plain tests on metrics and on cell values. */
import type { Condition, Expr } from './ast.ts';
import { formatCondition } from './format.ts';

export type Cell = string | number | null;

/** A condition this engine cannot decide (dynamic thresholds, unknown functions, ...). */
export class Unsupported extends Error {}

type Operand =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'instant'; value: number } // epoch ms
  | { kind: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' };

const HOUR = 3_600_000;
const UNIT_MS = { days: 24 * HOUR, hours: HOUR, minutes: 60_000 } as const;
const SIZE = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;

export interface OperandContext {
  readonly now: Date;
  readonly constants: Readonly<Record<string, Expr | readonly Expr[]>>;
}

/** Evaluate an operand expression to a constant, or throw Unsupported. */
function resolveOperand(e: Expr, ctx: OperandContext): Operand {
  switch (e.kind) {
    case 'number':
      return { kind: 'number', value: e.value };
    case 'string':
      return { kind: 'string', value: e.value };
    case 'keyword':
      return { kind: e.name };
    case 'date':
      return { kind: 'instant', value: Date.parse(`${e.text}T00:00:00Z`) };
    case 'time':
      return { kind: 'instant', value: todayAt(e.text, ctx.now) };
    case 'duration':
      return { kind: 'number', value: e.amount * UNIT_MS[e.unit] };
    case 'size':
      return { kind: 'number', value: e.amount * SIZE[e.unit] };
    case 'paren':
      return resolveOperand(e.inner, ctx);
    case 'variable': {
      const value = ctx.constants[e.name];
      if (value === undefined) throw new Unsupported(`$${e.name} is not defined`);
      if (Array.isArray(value)) throw new Unsupported(`$${e.name} is a list; use it with in`);
      return resolveOperand(value as Expr, ctx);
    }
    case 'call':
      if (e.name === 'now' && e.args.length === 0)
        return { kind: 'instant', value: Math.floor(ctx.now.getTime() / 60_000) * 60_000 };
      throw new Unsupported(
        e.name === 'last' || ['avg', 'min', 'max', 'std', 'sum', 'median', 'index', 'abs'].includes(e.name)
          ? 'dynamic thresholds compare with the metrics of earlier runs, which are not kept here'
          : `${e.name}() is not a DQDL function`,
      );
    case 'binary': {
      const l = resolveOperand(e.left, ctx);
      const r = resolveOperand(e.right, ctx);
      if ((l.kind !== 'number' && l.kind !== 'instant') || r.kind !== 'number')
        throw new Unsupported('arithmetic needs numbers (or now() plus or minus a duration)');
      const v = arith(e.op, l.value, r.value);
      return { kind: l.kind, value: v };
    }
  }
}

function arith(op: '+' | '-' | '*' | '/', a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

function todayAt(text: string, now: Date): number {
  const m = /^(\d{1,2}):(\d{2})\s?(AM|PM|am|pm)?$/.exec(text)!;
  let h = Number(m[1]) % (m[3] ? 12 : 24);
  if (m[3]?.toUpperCase() === 'PM') h += 12;
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, Number(m[2]));
}

function listOf(c: Extract<Condition, { kind: 'in' }>, ctx: OperandContext): Operand[] {
  const first = c.items[0];
  if (c.items.length === 1 && first?.kind === 'variable') {
    const value = ctx.constants[first.name];
    if (value === undefined) throw new Unsupported(`$${first.name} is not defined`);
    return (Array.isArray(value) ? value : [value as Expr]).map((e) => resolveOperand(e, ctx));
  }
  return c.items.map((e) => resolveOperand(e, ctx));
}

const num = (o: Operand, what: string): number => {
  if (o.kind === 'number' || o.kind === 'instant') return o.value;
  throw new Unsupported(`${what} needs a number here`);
};

/** A test on a metric value, e.g. `> 0.95` or `between 0 and 10` (ends excluded, as in Glue). */
export function numberTest(c: Condition, ctx: OperandContext): (x: number) => boolean {
  switch (c.kind) {
    case 'compare': {
      const v = num(resolveOperand(c.operand, ctx), c.op);
      return compareTest(c.op, v);
    }
    case 'between': {
      const lo = num(resolveOperand(c.low, ctx), 'between');
      const hi = num(resolveOperand(c.high, ctx), 'between');
      return c.negated ? (x) => x <= lo || x >= hi : (x) => x > lo && x < hi;
    }
    case 'in': {
      const set = listOf(c, ctx)
        .filter((o) => o.kind !== 'NULL')
        .map((o) => num(o, 'in'));
      return c.negated ? (x) => !set.includes(x) : (x) => set.includes(x);
    }
    case 'matches':
      throw new Unsupported('matches applies to text, not to a metric');
  }
}

function compareTest(op: string, v: number): (x: number) => boolean {
  switch (op) {
    case '=':
      return (x) => x === v;
    case '!=':
      return (x) => x !== v;
    case '>':
      return (x) => x > v;
    case '>=':
      return (x) => x >= v;
    case '<':
      return (x) => x < v;
    default:
      return (x) => x <= v;
  }
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A cell as a point in time (epoch ms): numbers as they are, text only in the forms Spark casts
 * (`2024-06-10`, `2024-06-10 12:30[:45[.123]]`, optional `T`, optional `Z` or offset; no zone
 * means UTC). Anything else, including impossible dates like 2024-02-30, is NULL.
 */
export function toInstant(v: Cell): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const m = INSTANT.exec(v.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) + Math.round(Number(m[7] ?? 0) * 1000);
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return ms;
  const sign = zone[0] === '-' ? -1 : 1;
  return ms - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
}

function toNumber(v: Cell): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const t = v.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isNaN(n) ? null : n;
}

/**
 * A per-row test for ColumnValues. NULL fails every test except `!=` and `not in` (unless NULL
 * is named), `matches` is a full-string match, and date operands compare points in time.
 */
export function cellTest(c: Condition, ctx: OperandContext, ignoreCase = false): (v: Cell) => boolean {
  if (c.kind === 'matches') {
    const re = javaRegExp(c.pattern, ignoreCase);
    return c.negated ? (v) => v !== null && !re.test(String(v)) : (v) => v !== null && re.test(String(v));
  }
  const operands =
    c.kind === 'compare'
      ? [resolveOperand(c.operand, ctx)]
      : c.kind === 'between'
        ? [resolveOperand(c.low, ctx), resolveOperand(c.high, ctx)]
        : listOf(c, ctx);
  const values = operands.filter((o) => o.kind === 'number' || o.kind === 'instant' || o.kind === 'string');
  const kinds = new Set(values.map((o) => o.kind));
  if (kinds.size > 1) throw new Unsupported(`mixes numbers, text and dates: ${formatCondition(c)}`);
  const kind = [...kinds][0] ?? 'string';
  const read: (v: Cell) => number | string | null =
    kind === 'number'
      ? toNumber
      : kind === 'instant'
        ? toInstant
        : (v) => (v === null ? null : ignoreCase ? String(v).toLowerCase() : String(v));
  const lit = (o: Operand): number | string =>
    o.kind === 'string' ? (ignoreCase ? o.value.toLowerCase() : o.value) : (o as { value: number }).value;

  if (c.kind === 'compare') {
    const o = operands[0]!;
    if (o.kind === 'NULL')
      return c.op === '=' ? (v) => v === null : c.op === '!=' ? (v) => v !== null : () => false;
    if (o.kind === 'EMPTY' || o.kind === 'WHITESPACES_ONLY') {
      const special = specialTest(o.kind);
      return c.op === '!=' ? (v) => !special(v) : c.op === '=' ? special : () => false;
    }
    const target = lit(o);
    const op = c.op;
    return (v) => {
      const x = read(v);
      if (x === null) return op === '!=';
      switch (op) {
        case '=':
          return x === target;
        case '!=':
          return x !== target;
        case '>':
          return x > target;
        case '>=':
          return x >= target;
        case '<':
          return x < target;
        default:
          return x <= target;
      }
    };
  }
  if (c.kind === 'between') {
    const lo = lit(operands[0]!);
    const hi = lit(operands[1]!);
    return c.negated
      ? (v) => {
          const x = read(v);
          return x !== null && (x <= lo || x >= hi);
        }
      : (v) => {
          const x = read(v);
          return x !== null && x > lo && x < hi;
        };
  }
  const set = new Set(values.map(lit));
  const specials = operands
    .filter((o) => o.kind === 'EMPTY' || o.kind === 'WHITESPACES_ONLY')
    .map((o) => specialTest(o.kind as 'EMPTY'));
  const nullListed = operands.some((o) => o.kind === 'NULL');
  const member = (v: Cell): boolean => {
    if (v === null) return nullListed;
    if (specials.some((t) => t(v))) return true;
    const x = read(v);
    return x !== null && set.has(x);
  };
  return c.negated ? (v) => !member(v) : member;
}

/** A Java-style pattern as a full-match JavaScript RegExp; a leading (?i) becomes the i flag. */
export function javaRegExp(pattern: string, ignoreCase = false): RegExp {
  const inline = /^\(\?i\)/.test(pattern);
  const body = inline ? pattern.slice(4) : pattern;
  try {
    return new RegExp(`^(?:${body})$`, ignoreCase || inline ? 'ius' : 'us');
  } catch {
    throw new Unsupported(`the regular expression "${pattern}" uses syntax this engine does not support`);
  }
}

function specialTest(kind: 'EMPTY' | 'WHITESPACES_ONLY'): (v: Cell) => boolean {
  return kind === 'EMPTY'
    ? (v) => v === ''
    : (v) => typeof v === 'string' && v.length > 0 && v.trim().length === 0;
}
