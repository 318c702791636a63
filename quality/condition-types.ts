/**
 * The typing of conditions: which operands a rule's condition kind takes, as Glue's grammar
 * types them (numbers, quoted text, dates, durations, sizes). Pure checks on the parsed form.
 */
import type { Condition, Expr } from './ast.ts';
import { DqdlSyntaxError, type Token } from './lexer.ts';
import type { ConditionKind } from './rule-types.ts';

/** What a rule compares with: a rule type's condition kind, or FileMatch's checksums. */
export type Expected = ConditionKind | 'checksums';

/** The operand types of Glue's grammar. */
type OperandType = 'number' | 'string' | 'date' | 'duration' | 'size';

const ACCEPTS: Record<Expected, readonly OperandType[]> = {
  number: ['number'],
  'optional-number': ['number'],
  string: ['string'],
  value: ['number', 'string', 'date'],
  date: ['date'],
  duration: ['duration'],
  // A bare number is a size in bytes.
  size: ['size', 'number'],
  checksums: ['string'],
  none: [],
};

const WANTED: Record<Expected, string> = {
  number: 'numbers',
  'optional-number': 'numbers',
  string: 'a quoted type name',
  value: 'numbers, quoted text or dates',
  date: 'a date, a time or now() (dates and times are quoted: "2024-01-01", "9:30 AM", "21:45")',
  duration: 'a duration such as 24 hours or 3 days',
  size: 'a size such as 2 MB',
  checksums: 'quoted checksums',
  none: 'no condition',
};

/** Refuse a condition Glue's grammar has no rule for, e.g. `RowCount > "ten"` or `in [1, "2"]`. */
export function checkConditionKind(cond: Condition, kind: Expected, at: Token): void {
  const bad = (what: string): never => {
    throw new DqdlSyntaxError(`expected ${what} in this condition`, at.line, at.column);
  };
  const accepts = ACCEPTS[kind];
  if (cond.kind === 'matches') {
    // A type name is compared whole, so ColumnDataType takes no pattern.
    if (!accepts.includes('string') || kind === 'string') bad(WANTED[kind]);
    return;
  }
  // Glue has lists of durations, but nothing here measures one against a list.
  if (kind === 'duration' && cond.kind === 'in') bad(WANTED[kind]);
  const operands = operandsOf(cond);
  const types = operands.map(operandTypes);
  if (accepts.includes('date') && operands.some((e, i) => types[i]!.length === 0 && mentionsNow(e)))
    throw new DqdlSyntaxError(
      'expected now() plus or minus a duration, in parentheses, e.g. (now() - 3 days)',
      at.line,
      at.column,
    );
  const common = accepts.filter((t) => types.every((ts) => ts.includes(t)));
  if (common.length === 0) {
    if (cond.kind === 'in' && types.every((ts) => ts.some((t) => accepts.includes(t))))
      throw new DqdlSyntaxError(
        'this list mixes numbers, quoted text and dates (a list holds one kind, plus NULL)',
        at.line,
        at.column,
      );
    bad(WANTED[kind]);
  }
  // Text is only ever equal or not: Glue has no order on strings.
  const ordered = cond.kind === 'between' || (cond.kind === 'compare' && cond.op !== '=' && cond.op !== '!=');
  if (ordered && common.every((t) => t === 'string'))
    bad(
      kind === 'string' ? '= "TYPE", != "TYPE" or in ["TYPE", ...]' : '=, !=, in or matches with quoted text',
    );
}

/** A condition of the given kind, for error messages. */
export function conditionExample(kind: Expected): string {
  return {
    number: '> 0.95',
    'optional-number': 'between 10 and 20',
    string: '= "INTEGER"',
    value: 'between 0 and 10',
    date: '> (now() - 1 days)',
    duration: '<= 24 hours',
    size: '< 2 GB',
    checksums: 'in ["<checksum>"]',
    none: '',
  }[kind];
}

/** The types an operand can have in Glue's grammar; none if it has no place there. */
function operandTypes(e: Expr): OperandType[] {
  switch (e.kind) {
    case 'number':
      return ['number'];
    case 'string':
    case 'variable': // constants hold text only
      return ['string'];
    case 'date':
    case 'time':
      return ['date'];
    case 'keyword':
      return e.name === 'NULL' ? ['number', 'string', 'date'] : ['string'];
    case 'duration':
      return ['duration'];
    case 'size':
      return ['size'];
    case 'call':
      if (e.name === 'now') return e.args.length === 0 ? ['date'] : [];
      return e.args.every(isNumeric) ? ['number'] : [];
    case 'paren':
      // Dates move by `(now() - 3 days)` only: one now(), one whole duration, in parentheses.
      if (isShiftedNow(e.inner)) return ['date'];
      return isNumeric(e.inner) ? ['number'] : [];
    case 'binary':
      return isNumeric(e.left) && isNumeric(e.right) ? ['number'] : [];
  }
}

function isNumeric(e: Expr): boolean {
  return operandTypes(e).includes('number');
}

function isShiftedNow(e: Expr): boolean {
  return (
    e.kind === 'binary' &&
    (e.op === '+' || e.op === '-') &&
    e.left.kind === 'call' &&
    e.left.name === 'now' &&
    e.left.args.length === 0 &&
    e.right.kind === 'duration'
  );
}

function mentionsNow(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return e.name === 'now' || e.args.some(mentionsNow);
    case 'paren':
      return mentionsNow(e.inner);
    case 'binary':
      return mentionsNow(e.left) || mentionsNow(e.right);
    default:
      return false;
  }
}

function operandsOf(cond: Condition): readonly Expr[] {
  switch (cond.kind) {
    case 'compare':
      return [cond.operand];
    case 'between':
      return [cond.low, cond.high];
    case 'in':
      return cond.items;
    case 'matches':
      return [];
  }
}
