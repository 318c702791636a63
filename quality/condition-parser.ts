/**
 * Conditions (`> 0.95`, `between 1 and 5`, `in [...]`, `matches "..."`) and their operands:
 * numbers, quoted text, dates and times, durations and sizes, NULL, $constants, calls and
 * arithmetic. Each condition is typed against what its rule compares with.
 */
import type { CompareOp, Condition, Expr } from './ast.ts';
import { checkConditionKind, conditionExample, type Expected } from './condition-types.ts';
import { DqdlSyntaxError, type Token } from './lexer.ts';
import { DATE_SHAPE, isCalendarDate, isClockTime, TIME_SHAPE } from './literals.ts';
import type { TokenCursor } from './token-cursor.ts';

/** The constants declared so far, for `$name` references. */
export type Constants = Readonly<Record<string, Expr | readonly Expr[]>>;

const COMPARE_OPS = new Set(['=', '!=', '>', '>=', '<', '<=']);
const DURATION_UNITS = new Set(['days', 'hours', 'minutes']);
const SIZE_UNITS = new Set(['B', 'KB', 'MB', 'GB', 'TB']);

/** Whether a condition starts at the cursor. */
export function atCondition(c: TokenCursor): boolean {
  return (c.is('punct') && COMPARE_OPS.has(c.tok.text)) || c.isWord('between', 'not', 'in', 'matches');
}

export function condition(c: TokenCursor, constants: Constants, kind: Expected): Condition {
  const at = c.tok;
  let cond: Condition;
  let negated = false;
  if (c.isWord('not')) {
    c.next();
    negated = true;
    if (!c.isWord('between', 'in', 'matches')) c.fail("between, in or matches after 'not'");
  }
  if (c.isWord('between')) {
    c.next();
    const low = operand(c, constants);
    if (!c.isWord('and', 'AND')) c.fail("'and' (between X and Y)");
    c.next();
    cond = { kind: 'between', negated, low, high: operand(c, constants) };
  } else if (c.isWord('in')) {
    c.next();
    // `in $list` names a constant; any other list is written out, with at least one value.
    const items =
      c.is('ident') && c.tok.text.startsWith('$')
        ? [term(c, constants)]
        : c.list(() => operand(c, constants), 'at least one value');
    cond = { kind: 'in', negated, items };
  } else if (c.isWord('matches')) {
    c.next();
    // Glue's regular expressions are Java's; the evaluator says if one is beyond JavaScript.
    const pattern = c.expect('string', undefined, 'a quoted regular expression after matches');
    cond = { kind: 'matches', negated, pattern: pattern.text };
  } else if (c.is('punct') && COMPARE_OPS.has(c.tok.text)) {
    const op = c.next().text as CompareOp;
    cond = { kind: 'compare', op, operand: operand(c, constants) };
  } else return c.fail(`a condition (e.g. ${conditionExample(kind)})`);
  checkConditionKind(cond, kind, at);
  return cond;
}

/** A constant holds text: a quoted string, NULL, EMPTY or WHITESPACES_ONLY. */
export function constantValue(c: TokenCursor, constants: Constants, name: Token): Expr {
  const at = c.tok;
  if (at.kind === 'ident' && at.text.startsWith('$'))
    throw new DqdlSyntaxError(
      `constant ${name.text} refers to another constant; nested constants are not supported`,
      at.line,
      at.column,
    );
  const text =
    at.kind === 'string' || (at.kind === 'ident' && /^(null|empty|whitespaces_only)$/i.test(at.text));
  const value = text ? term(c, constants) : undefined;
  // Glue looks for $name inside a constant's text too, and refuses it there.
  if (value?.kind === 'string' && /\$[A-Za-z_]/.test(value.value))
    throw new DqdlSyntaxError(
      `constant ${name.text} refers to another constant; nested constants are not supported`,
      at.line,
      at.column,
    );
  // Glue reads "2023-01-01" and "9:30 AM" as a date and a time, never as text.
  if (value?.kind === 'string' || value?.kind === 'keyword') return value;
  return c.fail(
    `a quoted string (not a number, date or time), NULL, EMPTY or WHITESPACES_ONLY as the value of ${name.text}`,
    at,
  );
}

/** An operand: flat left-associative arithmetic, as in Glue's grammar. */
function operand(c: TokenCursor, constants: Constants): Expr {
  let left = term(c, constants);
  while (c.is('punct') && ['+', '-', '*', '/'].includes(c.tok.text)) {
    const op = c.next().text as '+' | '-' | '*' | '/';
    left = { kind: 'binary', op, left, right: term(c, constants) };
  }
  return left;
}

function term(c: TokenCursor, constants: Constants): Expr {
  const t = c.tok;
  if (t.kind === 'punct' && t.text === '-' && c.peek().kind === 'number') {
    c.next();
    return numberOrUnit(c, true);
  }
  if (t.kind === 'number') return numberOrUnit(c, false);
  if (t.kind === 'string') {
    c.next();
    // Glue's lexer makes these shapes a date or a time before it looks at their digits.
    if (DATE_SHAPE.test(t.text)) {
      if (!isCalendarDate(t.text))
        throw new DqdlSyntaxError(`"${t.text}" is not a calendar date (YYYY-MM-DD)`, t.line, t.column);
      return { kind: 'date', text: t.text };
    }
    if (TIME_SHAPE.test(t.text)) {
      if (!isClockTime(t.text))
        throw new DqdlSyntaxError(
          `"${t.text}" is not a time of day (e.g. "9:30 AM" or "21:45")`,
          t.line,
          t.column,
        );
      return { kind: 'time', text: t.text };
    }
    return { kind: 'string', value: t.text };
  }
  if (t.kind === 'punct' && t.text === '(') {
    c.next();
    const inner = operand(c, constants);
    c.punct(')');
    return { kind: 'paren', inner };
  }
  if (t.kind === 'ident') {
    const upper = t.text.toUpperCase();
    if (
      (upper === 'NULL' || upper === 'EMPTY' || upper === 'WHITESPACES_ONLY') &&
      (t.text === upper || t.text === t.text.toLowerCase())
    ) {
      c.next();
      return { kind: 'keyword', name: upper as 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' };
    }
    if (t.text.startsWith('$')) {
      // Constants come before the rules, so one not declared by now never will be.
      if (!(t.text.slice(1) in constants))
        throw new DqdlSyntaxError(`constant ${t.text} is not defined`, t.line, t.column);
      c.next();
      return { kind: 'variable', name: t.text.slice(1) };
    }
    if (c.peek().kind === 'punct' && c.peek().text === '(') {
      c.next();
      c.next();
      const args: Expr[] = [];
      while (!c.is('punct', ')')) {
        args.push(operand(c, constants));
        if (c.is('punct', ',')) c.next();
        else if (!c.is('punct', ')')) c.fail("',' or ')'");
      }
      c.next();
      return { kind: 'call', name: t.text, args };
    }
  }
  return c.fail('a number, a quoted value, NULL, now() or an expression like avg(last(10))');
}

function numberOrUnit(c: TokenCursor, negative: boolean): Expr {
  const t = c.next();
  const value = Number(t.text) * (negative ? -1 : 1);
  const text = negative ? `-${t.text}` : t.text;
  const unit = c.is('ident') && (DURATION_UNITS.has(c.tok.text) || SIZE_UNITS.has(c.tok.text));
  if (!unit) return { kind: 'number', value, text };
  // Glue counts durations and sizes in whole units only.
  if (negative || !/^\d+$/.test(t.text))
    throw new DqdlSyntaxError(
      `${text} ${c.tok.text}: a duration or size is a whole number of units`,
      t.line,
      t.column - (negative ? 1 : 0),
    );
  if (DURATION_UNITS.has(c.tok.text))
    return { kind: 'duration', amount: value, unit: c.next().text as 'days' };
  return { kind: 'size', amount: value, unit: c.next().text as 'B' };
}
