import { describe, expect, it } from '@jest/globals';
import type { Cell } from '../../quality/conditions.ts';
import { Evaluation, type EvaluateOptions } from '../../quality/evaluate.ts';
import { parseRuleset } from '../../quality/parser.ts';
import type { DataQualityResult, RuleResult } from '../../quality/results.ts';
import type { ValueType } from '../../quality/rules/compiled-rule.ts';

/** Row statuses as `ev.statuses` reports them. */
const P = 1;
const S = 0;
const F = -1;

type Columns = Record<string, ValueType>;

interface Run {
  /** The first rule's result. */
  rule: RuleResult;
  /** The first rule's status for each row. */
  statuses: number[];
  /** Every rule's status for each row. */
  all: number[][];
  result: DataQualityResult;
  ev: Evaluation;
}

interface RunOptions extends Partial<Pick<EvaluateOptions, 'now' | 'compositeMethod'>> {
  /** Per row: whether it met the data contract (default true). */
  contract?: boolean[];
}

/** Evaluate `rules` (the inside of `Rules = [...]`, or a whole ruleset) over a tiny dataset. */
function evaluate(rules: string, columns: Columns, rows: Cell[][], options: RunOptions = {}): Run {
  const source = /^\s*(Rules|Analyzers)\s*=/m.test(rules) ? rules : `Rules = [\n${rules}\n]`;
  const { contract, ...rest } = options;
  const ev = new Evaluation(parseRuleset(source), {
    columns: Object.entries(columns).map(([name, type]) => ({ name, type })),
    ...rest,
  });
  const all: number[][] = [];
  rows.forEach((row, i) => {
    ev.row(row, i + 2, contract?.[i] ?? true);
    all.push([...ev.statuses]);
  });
  const result = ev.finish();
  return { rule: result.RuleResults[0]!, statuses: all.map((s) => s[0]!), all, result, ev };
}

/** One column of values. */
const column = (values: Cell[]): Cell[][] => values.map((v) => [v]);

const X = { x: 'integer' } as const;
const STR = { s: 'string' } as const;

describe('dataset-level rules', () => {
  it('RowCount counts rows and skips them at row level', () => {
    const { rule, statuses, ev } = evaluate('RowCount = 3', X, column([1, 2, null]));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Dataset.*.RowCount': 3 });
    expect(rule.EvaluationMessage).toBeUndefined();
    expect(rule.RuleMetrics).toBeUndefined();
    expect(statuses).toEqual([S, S, S]);
    expect(ev.rules[0]).toMatchObject({ name: 'Rule_1', description: 'RowCount = 3', rowLevel: false });
  });

  it('RowCount between excludes both ends', () => {
    const { rule } = evaluate('RowCount between 1 and 3', X, column([1, 2, 3]));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Dataset.*.RowCount': 3 });
    expect(rule.EvaluationMessage).toContain('Value: 3');
    expect(evaluate('RowCount not between 1 and 3', X, column([1, 2, 3])).rule.Result).toBe('PASS');
    expect(evaluate('RowCount between 2 and 4', X, column([1, 2, 3])).rule.Result).toBe('PASS');
  });

  it('RowCount with where counts only the kept rows (NULL comparisons drop the row)', () => {
    const { rule, statuses } = evaluate('RowCount = 2 where "x > 1"', X, column([1, 2, null, 3]));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Dataset.*.RowCount': 2 });
    expect(statuses).toEqual([S, S, S, S]);
  });

  it('ColumnCount', () => {
    const cols = { a: 'integer', b: 'string', c: 'decimal' } as const;
    const pass = evaluate('ColumnCount = 3', cols, [[1, 'x', 1.5]]);
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Dataset.*.ColumnCount': 3 });
    expect(pass.statuses).toEqual([S]);
    const fail = evaluate('ColumnCount > 3', cols, [[1, 'x', 1.5]]);
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluatedMetrics).toEqual({ 'Dataset.*.ColumnCount': 3 });
  });

  it('ColumnExists', () => {
    const cols = { movie_id: 'integer', title: 'string' } as const;
    const pass = evaluate('ColumnExists "title"', cols, [[1, 'Alien']]);
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Dataset.title.ColumnExists': 1 });
    expect(pass.statuses).toEqual([S]);
    const fail = evaluate('ColumnExists "load_dt"', cols, [[1, 'Alien']]);
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluatedMetrics).toEqual({ 'Dataset.load_dt.ColumnExists': 0 });
    expect(fail.rule.EvaluationMessage).toContain('load_dt');
  });

  it('ColumnNamesMatchPattern reports the ratio and the names that do not match', () => {
    const ids = { movie_id: 'integer', user_id: 'integer' } as const;
    const pass = evaluate('ColumnNamesMatchPattern "[a-z]+_id"', ids, [[1, 2]]);
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Dataset.*.ColumnNamesPatternMatchRatio': 1 });
    expect(pass.statuses).toEqual([S]);
    const mixed = { movie_id: 'integer', title: 'string', year: 'integer', user_id: 'integer' } as const;
    const fail = evaluate('ColumnNamesMatchPattern "[a-z]+_id"', mixed, [[1, 'Alien', 1979, 2]]);
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluatedMetrics).toEqual({ 'Dataset.*.ColumnNamesPatternMatchRatio': 0.5 });
    expect(fail.rule.EvaluationMessage).toBe('Columns that do not match the pattern: title, year');
  });
});

describe('Completeness and IsComplete', () => {
  const values: Cell[] = ['a', '', null, 'b'];

  it('Completeness counts "" as complete and NULL as missing', () => {
    const { rule, statuses, ev } = evaluate('Completeness "s" > 0.7', STR, column(values));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.Completeness': 0.75 });
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 3, 'Rows Failed': 1, 'Total Rows Processed': 4 });
    expect(statuses).toEqual([P, P, F, P]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: true });
  });

  it('Completeness fails below its bound, with the value in the message', () => {
    const { rule, statuses } = evaluate('Completeness "s" >= 0.8', STR, column(values));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.Completeness': 0.75 });
    expect(rule.EvaluationMessage).toContain('Value: 0.75');
    expect(statuses).toEqual([P, P, F, P]);
  });

  it('Completeness of a numeric column', () => {
    const { rule, statuses } = evaluate('Completeness "x" = 0.5', X, column([1, null, 0, null]));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.x.Completeness': 0.5 });
    expect(statuses).toEqual([P, F, P, F]);
  });

  it('IsComplete', () => {
    const fail = evaluate('IsComplete "s"', STR, column(values));
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluatedMetrics).toEqual({ 'Column.s.Completeness': 0.75 });
    expect(fail.rule.EvaluationMessage).toContain('75.00 % of rows passed');
    expect(fail.rule.RuleMetrics).toEqual({ 'Rows Passed': 3, 'Rows Failed': 1, 'Total Rows Processed': 4 });
    expect(fail.statuses).toEqual([P, P, F, P]);
    expect(fail.ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });

    const pass = evaluate('IsComplete "s"', STR, column(['a', '', ' ']));
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Column.s.Completeness': 1 });
    expect(pass.rule.EvaluationMessage).toBeUndefined();
    expect(pass.statuses).toEqual([P, P, P]);
  });
});

describe('uniqueness rules', () => {
  it('Uniqueness is the share of non-null values that occur exactly once', () => {
    const { rule, statuses, ev } = evaluate('Uniqueness "s" = 0.5', STR, column(['a', 'a', 'b', 'c', null]));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.Uniqueness': 0.5 });
    expect(statuses).toEqual([P, F, P, P, P]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: true });

    const fail = evaluate('Uniqueness "s" > 0.5', STR, column(['a', 'a', 'b', 'c', null]));
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluationMessage).toContain('Value: 0.5');
  });

  it('multi-column Uniqueness works on tuples and ignores all-null tuples', () => {
    const cols = { a: 'integer', b: 'string' } as const;
    const rows: Cell[][] = [
      [1, 'x'],
      [1, 'y'],
      [1, 'x'],
      [2, 'x'],
      [null, null],
      [2, null],
    ];
    const { rule, statuses } = evaluate('Uniqueness "a" "b" = 0.6', cols, rows);
    expect(rule.EvaluatedMetrics).toEqual({ 'Multicolumn.a,b.Uniqueness': 0.6 });
    expect(rule.Result).toBe('PASS');
    expect(statuses).toEqual([P, P, F, P, P, P]);
  });

  it('multi-column Uniqueness keeps value boundaries apart', () => {
    const cols = { a: 'string', b: 'string' } as const;
    const rows: Cell[][] = [
      ['ab', 'c'],
      ['a', 'bc'],
      ['', 'abc'],
      ['abc', ''],
    ];
    const { rule } = evaluate('Uniqueness "a" "b" = 1.0', cols, rows);
    expect(rule.EvaluatedMetrics).toEqual({ 'Multicolumn.a,b.Uniqueness': 1 });
    expect(rule.Result).toBe('PASS');
  });

  it('IsUnique fails the second occurrence of a value and passes the first', () => {
    const { rule, statuses, ev } = evaluate('IsUnique "s"', STR, column(['a', 'b', 'a', 'c', 'a']));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.Uniqueness': 0.4 });
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 3, 'Rows Failed': 2, 'Total Rows Processed': 5 });
    expect(rule.EvaluationMessage).toContain('duplicate "a"');
    expect(statuses).toEqual([P, P, F, P, F]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });
  });

  it('IsUnique ignores NULLs', () => {
    const { rule, statuses } = evaluate('IsUnique "s"', STR, column([null, 'a', null, 'b']));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.Uniqueness': 1 });
    expect(statuses).toEqual([P, P, P, P]);
  });

  it('IsUnique over several columns', () => {
    const cols = { a: 'integer', b: 'string' } as const;
    const rows: Cell[][] = [
      [1, 'x'],
      [1, 'y'],
      [2, 'x'],
      [1, 'y'],
    ];
    const { rule, statuses } = evaluate('IsUnique "a" "b"', cols, rows);
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Multicolumn.a,b.Uniqueness': 0.5 });
    expect(statuses).toEqual([P, P, P, F]);
  });

  it('IsPrimaryKey fails NULL keys and duplicates', () => {
    const { rule, statuses, ev } = evaluate('IsPrimaryKey "id"', { id: 'integer' }, column([1, 2, null, 2]));
    expect(rule.Result).toBe('FAIL');
    expect(Object.keys(rule.EvaluatedMetrics).sort()).toEqual([
      'Column.id.Completeness',
      'Column.id.Uniqueness',
    ]);
    expect(rule.EvaluatedMetrics['Column.id.Uniqueness']).toBeCloseTo(1 / 3, 12);
    expect(rule.EvaluatedMetrics['Column.id.Completeness']).toBe(0.75);
    expect(rule.EvaluationMessage).toContain('NULL');
    expect(statuses).toEqual([P, P, F, F]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });

    const pass = evaluate('IsPrimaryKey "id"', { id: 'integer' }, column([3, 1, 2]));
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Column.id.Uniqueness': 1, 'Column.id.Completeness': 1 });
    expect(pass.statuses).toEqual([P, P, P]);
  });

  it('IsPrimaryKey over several columns needs every column complete', () => {
    const cols = { a: 'integer', b: 'string' } as const;
    const rows: Cell[][] = [
      [1, 'x'],
      [1, 'y'],
      [2, null],
    ];
    const { rule, statuses } = evaluate('IsPrimaryKey a "b"', cols, rows);
    expect(rule.Result).toBe('FAIL');
    expect(Object.keys(rule.EvaluatedMetrics).sort()).toEqual([
      'Column.a.Completeness',
      'Column.b.Completeness',
      'Multicolumn.a,b.Uniqueness',
    ]);
    expect(rule.EvaluatedMetrics['Multicolumn.a,b.Uniqueness']).toBe(1);
    expect(rule.EvaluatedMetrics['Column.a.Completeness']).toBe(1);
    expect(rule.EvaluatedMetrics['Column.b.Completeness']).toBeCloseTo(2 / 3, 12);
    expect(statuses).toEqual([P, P, F]);
  });

  it('UniqueValueRatio: values seen once over distinct values, NULL ignored', () => {
    const { rule, statuses, ev } = evaluate('UniqueValueRatio "s" = 0.5', STR, column(['a', 'a', 'b']));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.UniqueValueRatio': 0.5 });
    expect(statuses).toEqual([S, S, S]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: false, tolerance: true });

    const withNull = evaluate('UniqueValueRatio "s" between 0 and 0.5', STR, column(['a', null, 'a', 'b']));
    expect(withNull.rule.EvaluatedMetrics).toEqual({ 'Column.s.UniqueValueRatio': 0.5 });
    expect(withNull.rule.Result).toBe('FAIL');
  });

  it('DistinctValuesCount', () => {
    const { rule, statuses } = evaluate('DistinctValuesCount "s" = 3', STR, column(['a', 'b', 'a', 'c']));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.DistinctValuesCount': 3 });
    expect(statuses).toEqual([S, S, S, S]);

    const fail = evaluate('DistinctValuesCount "s" > 3', STR, column(['a', 'b', 'a', 'c']));
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluationMessage).toContain('Value: 3');
  });
});

describe('ColumnValues on numbers', () => {
  it.each([
    ['between 1 and 3', [1, 2, 3, null], [F, P, F, F]],
    ['not between 1 and 3', [0, 1, 2, 3, 4, null], [P, P, F, P, P, F]],
    ['in [1, 2]', [1, 2, 3, null], [P, P, F, F]],
    ['not in [1, 2]', [1, 2, 3, null], [F, F, P, P]],
    ['in [1, NULL]', [1, 2, null], [P, F, P]],
    ['not in [1, NULL]', [1, 2, null], [F, P, F]],
    ['= 2', [1, 2, null], [F, P, F]],
    ['!= 2', [1, 2, null], [P, F, P]],
    ['> 1', [1, 2, null], [F, P, F]],
    ['>= 1', [0, 1, null], [F, P, F]],
    ['< 2', [1, 2, null], [P, F, F]],
    ['<= 2', [2, 3, null], [P, F, F]],
    ['= NULL', [1, null], [F, P]],
    ['!= NULL', [1, null], [P, F]],
    ['between -5 and -1', [-3, -5, 0], [P, F, F]],
    ['= 1.5', [1.5, 1.50001, null], [P, F, F]],
  ] as const)('%s', (condition, values, expected) => {
    const { rule, statuses } = evaluate(
      `ColumnValues "x" ${condition}`,
      { x: 'decimal' },
      column([...values]),
    );
    expect(statuses).toEqual(expected);
    const passed = expected.filter((s) => s === P).length;
    expect(rule.EvaluatedMetrics['Column.x.ColumnValues.Compliance']).toBeCloseTo(passed / values.length, 12);
    expect(rule.Result).toBe(passed === values.length ? 'PASS' : 'FAIL');
  });

  it('reports compliance, minimum and maximum, and passes when every row does', () => {
    const { rule, statuses, ev } = evaluate('ColumnValues "x" > 0', X, column([3, 1, 2]));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.x.ColumnValues.Compliance': 1,
      'Column.x.Minimum': 1,
      'Column.x.Maximum': 3,
    });
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 3, 'Rows Failed': 0, 'Total Rows Processed': 3 });
    expect(rule.EvaluationMessage).toBeUndefined();
    expect(statuses).toEqual([P, P, P]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });
  });

  it('a NULL fails a comparison and shows up in the message', () => {
    const { rule } = evaluate('ColumnValues "x" > 0', X, column([3, null, 2]));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.x.ColumnValues.Compliance': 2 / 3,
      'Column.x.Minimum': 2,
      'Column.x.Maximum': 3,
    });
    expect(rule.EvaluationMessage).toContain('NULL');
    expect(rule.EvaluationMessage).toContain('66.67 % of rows passed');
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 2, 'Rows Failed': 1, 'Total Rows Processed': 3 });
  });

  it('in [...] reports only the compliance', () => {
    const { rule } = evaluate('ColumnValues "x" in [1, 2]', X, column([1, 2, 3, null]));
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.x.ColumnValues.Compliance': 0.5 });
  });
});

describe('ColumnValues on strings', () => {
  it.each([
    ['= "a"', ['a', 'b', null, '', 'A'], [P, F, F, F, F]],
    ['!= "a"', ['a', 'b', null, ''], [F, P, P, P]],
    ['in ["a", EMPTY, WHITESPACES_ONLY]', ['a', '', '  ', 'b', null], [P, P, P, F, F]],
    ['in ["a", NULL]', ['a', 'b', null], [P, F, P]],
    ['not in ["a", EMPTY]', ['a', '', 'b', null], [F, F, P, P]],
    ['not in ["a", NULL]', ['a', 'b', null], [F, P, F]],
    ['= EMPTY', ['', ' ', null, 'a'], [P, F, F, F]],
    ['= WHITESPACES_ONLY', ['', ' \t', null, 'a'], [F, P, F, F]],
    ['!= EMPTY', ['', 'a', null], [F, P, P]],
    ['= NULL', ['', null], [F, P]],
    ['matches "ab+"', ['abb', 'xabb', 'ab', 'abbx', 'a', null], [P, F, P, F, F, F]],
    ['not matches "ab+"', ['abb', 'xabb', 'a', null], [F, P, P, F]],
    ['matches "[A-Z]{2}-\\\\d+"', ['AB-12', 'AB-', 'ab-1'], [P, F, F]],
  ] as const)('%s', (condition, values, expected) => {
    const { rule, statuses } = evaluate(`ColumnValues "s" ${condition}`, STR, column([...values]));
    expect(statuses).toEqual(expected);
    const passed = expected.filter((s) => s === P).length;
    expect(Object.keys(rule.EvaluatedMetrics)).toEqual(['Column.s.ColumnValues.Compliance']);
    expect(rule.EvaluatedMetrics['Column.s.ColumnValues.Compliance']).toBeCloseTo(passed / values.length, 12);
    expect(rule.Result).toBe(passed === values.length ? 'PASS' : 'FAIL');
  });

  it('ignoreCase', () => {
    const { statuses } = evaluate(
      'ColumnValues "s" = "abc" with ignoreCase = "true"',
      STR,
      column(['ABC', 'abd']),
    );
    expect(statuses).toEqual([P, F]);
  });

  it('string constants', () => {
    const source = 'genres = ["Drama", "Comedy"]\nRules = [ ColumnValues "s" in $genres ]';
    const { rule, statuses } = evaluate(source, STR, column(['Drama', 'Horror', 'Comedy']));
    expect(statuses).toEqual([P, F, P]);
    expect(rule.Result).toBe('FAIL');
  });
});

describe('ColumnValues on dates', () => {
  const now = new Date('2024-06-10T12:34:56Z');
  const D = { d: 'string' } as const;

  it('> (now() - 3 days) on ISO strings, with a fixed now', () => {
    const values = [
      '2024-06-09',
      '2024-06-01',
      '2024-06-08T00:00:00Z',
      null,
      'not a date',
      '2024-06-07 13:00:00',
    ];
    const { rule, statuses } = evaluate('ColumnValues "d" > (now() - 3 days)', D, column(values), { now });
    expect(statuses).toEqual([P, F, P, F, F, P]);
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.d.ColumnValues.Compliance': 0.5 });
  });

  it('now() is truncated to the minute', () => {
    const values = ['2024-06-07T12:34:00Z', '2024-06-07T12:34:30Z'];
    const { statuses } = evaluate('ColumnValues "d" > (now() - 3 days)', D, column(values), { now });
    expect(statuses).toEqual([F, P]);
  });

  it('between two dates excludes both ends', () => {
    const values = ['2024-06-05', '2024-06-01', '2024-06-10', null];
    const { rule, statuses } = evaluate(
      'ColumnValues "d" between "2024-06-01" and "2024-06-10"',
      D,
      column(values),
    );
    expect(statuses).toEqual([P, F, F, F]);
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.d.ColumnValues.Compliance': 0.25 });
  });

  it('on a timestamp column', () => {
    const values = ['2024-06-10T12:00:00Z', '2024-06-10T13:00:00Z'];
    const { rule, statuses } = evaluate('ColumnValues "t" <= now()', { t: 'timestamp' }, column(values), {
      now,
    });
    expect(statuses).toEqual([P, F]);
    expect(rule.Result).toBe('FAIL');
  });
});

describe('with threshold', () => {
  it('compares the share of passing rows with the threshold', () => {
    const rule = 'ColumnValues "s" in ["a", "b"] with threshold > 0.5';
    const pass = evaluate(rule, STR, column(['a', 'b', 'c']));
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics['Column.s.ColumnValues.Compliance']).toBeCloseTo(2 / 3, 12);
    expect(pass.statuses).toEqual([P, P, F]);
    expect(pass.ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: true });
    expect(pass.rule.RuleMetrics).toEqual({ 'Rows Passed': 2, 'Rows Failed': 1, 'Total Rows Processed': 3 });

    const fail = evaluate(rule, STR, column(['a', 'b', 'c', null]));
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluatedMetrics).toEqual({ 'Column.s.ColumnValues.Compliance': 0.5 });
    expect(fail.rule.EvaluationMessage).toContain('Value: 0.5');
    expect(fail.statuses).toEqual([P, P, F, F]);
  });

  it('threshold between', () => {
    const rule = 'ColumnValues "s" matches "a+" with threshold between 0.2 and 0.9';
    expect(evaluate(rule, STR, column(['a', 'aa', 'b'])).rule.Result).toBe('PASS');
    expect(evaluate(rule, STR, column(['a', 'aa'])).rule.Result).toBe('FAIL');
  });
});

describe('ColumnLength', () => {
  const values: Cell[] = ['abc', 'abcdef', '', null, 'ab'];

  it.each([
    ['< 4', [P, F, P, P, P]],
    ['> 2', [P, P, F, F, F]],
    ['between 2 and 6', [P, F, F, F, F]],
    ['= 0', [F, F, P, P, F]],
  ] as const)('%s (NULL has length 0)', (condition, expected) => {
    const { rule, statuses } = evaluate(`ColumnLength "s" ${condition}`, STR, column(values));
    expect(statuses).toEqual(expected);
    const passed = expected.filter((s) => s === P).length;
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.s.LengthCompliance': passed / values.length,
      'Column.s.MinimumLength': 0,
      'Column.s.MaximumLength': 6,
    });
  });

  it('passes when every length fits', () => {
    const { rule, statuses, ev } = evaluate('ColumnLength "s" = 5', STR, column(['abcde', '12345']));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.s.LengthCompliance': 1,
      'Column.s.MinimumLength': 5,
      'Column.s.MaximumLength': 5,
    });
    expect(statuses).toEqual([P, P]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });
  });
});

describe('ColumnDataType', () => {
  const values: Cell[] = ['1', '-42', 'x', null, '12345678901'];

  it('= "INTEGER" on strings (NULL and overflow do not cast)', () => {
    const { rule, statuses, ev } = evaluate('ColumnDataType "s" = "INTEGER"', STR, column(values));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.ColumnDataType.Compliance': 0.4 });
    expect(statuses).toEqual([P, P, F, F, F]);
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });
  });

  it('type names are case-insensitive; Long takes 64 bits', () => {
    const { statuses } = evaluate('ColumnDataType "s" = "Long"', STR, column(values));
    expect(statuses).toEqual([P, P, F, F, P]);
  });

  it('with threshold', () => {
    const pass = evaluate('ColumnDataType "s" = "INTEGER" with threshold > 0.3', STR, column(values));
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.rule.EvaluatedMetrics).toEqual({ 'Column.s.ColumnDataType.Compliance': 0.4 });
    expect(pass.ev.rules[0]).toMatchObject({ tolerance: true });
    const fail = evaluate('ColumnDataType "s" = "INTEGER" with threshold > 0.5', STR, column(values));
    expect(fail.rule.Result).toBe('FAIL');
    expect(fail.rule.EvaluationMessage).toContain('Value: 0.4');
  });

  it('all castable passes', () => {
    const { rule } = evaluate('ColumnDataType "s" = "DOUBLE"', STR, column(['1.5', '-2', '3e2']));
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.s.ColumnDataType.Compliance': 1 });
  });
});

describe('statistics', () => {
  const values: Cell[] = [0, null, 20, null, 40];

  it('Mean and Sum ignore NULLs', () => {
    const mean = evaluate('Mean "x" = 20', X, column(values));
    expect(mean.rule.Result).toBe('PASS');
    expect(mean.rule.EvaluatedMetrics).toEqual({ 'Column.x.Mean': 20 });
    expect(mean.statuses).toEqual([S, S, S, S, S]);
    expect(mean.ev.rules[0]).toMatchObject({ rowLevel: false, tolerance: true });
    const sum = evaluate('Sum "x" > 60', X, column(values));
    expect(sum.rule.Result).toBe('FAIL');
    expect(sum.rule.EvaluatedMetrics).toEqual({ 'Column.x.Sum': 60 });
    expect(sum.rule.EvaluationMessage).toContain('Value: 60');
  });

  it('StandardDeviation is the population standard deviation', () => {
    const { rule, statuses } = evaluate('StandardDeviation "x" between 16.3 and 16.4', X, column(values));
    expect(rule.Result).toBe('PASS');
    expect(Object.keys(rule.EvaluatedMetrics)).toEqual(['Column.x.StandardDeviation']);
    expect(rule.EvaluatedMetrics['Column.x.StandardDeviation']).toBeCloseTo(16.3299, 4);
    expect(statuses).toEqual([S, S, S, S, S]);
    const zeros = evaluate('StandardDeviation "x" = 16', X, column([0, 0, 20, 0, 40]));
    expect(zeros.rule.EvaluatedMetrics['Column.x.StandardDeviation']).toBeCloseTo(16, 12);
  });

  it('Variance is the population variance', () => {
    const { rule } = evaluate('Variance "x" > 266', X, column(values));
    expect(rule.Result).toBe('PASS');
    expect(Object.keys(rule.EvaluatedMetrics)).toEqual(['Column.x.Variance']);
    expect(rule.EvaluatedMetrics['Column.x.Variance']).toBeCloseTo(800 / 3, 9);
  });

  it('Mean of a column without values fails', () => {
    const { rule } = evaluate('Mean "x" > 0', X, column([null, null]));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({});
    expect(rule.EvaluationMessage).toBeDefined();
  });

  it('Entropy uses the natural log and ignores NULLs', () => {
    const { rule, statuses } = evaluate('Entropy "s" < 1', STR, column(['a', 'a', 'b', 'b']));
    expect(rule.Result).toBe('PASS');
    expect(Object.keys(rule.EvaluatedMetrics)).toEqual(['Column.s.Entropy']);
    expect(rule.EvaluatedMetrics['Column.s.Entropy']).toBeCloseTo(Math.LN2, 12);
    expect(statuses).toEqual([S, S, S, S]);
    const withNull = evaluate('Entropy "s" > 0', STR, column(['a', 'a', 'b', null]));
    const p = [2 / 3, 1 / 3];
    expect(withNull.rule.EvaluatedMetrics['Column.s.Entropy']).toBeCloseTo(
      -p.reduce((e, q) => e + q * Math.log(q), 0),
      12,
    );
    const single = evaluate('Entropy "s" > 0', STR, column(['a', 'a']));
    expect(single.rule.Result).toBe('FAIL');
    expect(single.rule.EvaluatedMetrics).toEqual({ 'Column.s.Entropy': 0 });
  });

  it('ColumnCorrelation is Pearson over rows where both values are present', () => {
    const cols = { x: 'integer', y: 'decimal' } as const;
    const rows: Cell[][] = [
      [1, 2],
      [2, 4],
      [3, 6],
      [null, 100],
      [4, 8],
      [100, null],
    ];
    const { rule, statuses } = evaluate('ColumnCorrelation "x" "y" > 0.99', cols, rows);
    expect(rule.Result).toBe('PASS');
    expect(Object.keys(rule.EvaluatedMetrics)).toEqual(['Multicolumn.x,y.ColumnCorrelation']);
    expect(rule.EvaluatedMetrics['Multicolumn.x,y.ColumnCorrelation']).toBeCloseTo(1, 12);
    expect(statuses).toEqual([S, S, S, S, S, S]);

    const negative = evaluate('ColumnCorrelation of x and y < 0', cols, [
      [1, 3],
      [2, 2],
      [3, 1],
    ]);
    expect(negative.rule.Result).toBe('PASS');
    expect(negative.rule.EvaluatedMetrics['Multicolumn.x,y.ColumnCorrelation']).toBeCloseTo(-1, 12);
  });
});

describe('DataFreshness', () => {
  const now = new Date('2024-06-10T12:00:00Z');
  const T = { t: 'timestamp' } as const;
  // Ages: 6 h, 25 h, NULL, 12 h.
  const values: Cell[] = ['2024-06-10T06:00:00Z', '2024-06-09T11:00:00Z', null, '2024-06-10 00:00:00'];

  it.each([
    ['<= 24 hours', [P, F, F, P]],
    ['<= 2 days', [P, P, F, P]],
    ['between 5 hours and 13 hours', [P, F, F, P]],
    ['<= 360 minutes', [P, F, F, F]],
  ] as const)('%s (NULL fails)', (condition, expected) => {
    const { rule, statuses, ev } = evaluate(`DataFreshness "t" ${condition}`, T, column(values), { now });
    expect(statuses).toEqual(expected);
    expect(rule.Result).toBe('FAIL');
    const passed = expected.filter((s) => s === P).length;
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.t.DataFreshness.Compliance': passed / values.length });
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: false });
  });

  it('passes when every row is fresh', () => {
    const { rule } = evaluate(
      'DataFreshness "t" <= 24 hours',
      T,
      column(['2024-06-10T06:00:00Z', '2024-06-10']),
      {
        now,
      },
    );
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluatedMetrics).toEqual({ 'Column.t.DataFreshness.Compliance': 1 });
    expect(rule.EvaluationMessage).toBeUndefined();
  });
});

describe('where filters', () => {
  const cols = { x: 'integer', name: 'string' } as const;
  const rows: Cell[][] = [
    [0, 'Star Wars'],
    [1, 'Stargate'],
    [2, 'Alien'],
    [3, 'star'],
    [4, null],
    [null, 'S_x'],
  ];
  const count = (where: string): number => {
    const { rule } = evaluate(`RowCount >= 0 where "${where}"`, cols, rows);
    expect(rule.Result).toBe('PASS');
    return rule.EvaluatedMetrics['Dataset.*.RowCount']!;
  };

  it('filtered rows are PASSED at row level and left out of the metric', () => {
    const data: Cell[][] = [
      [1, 'a'],
      [200, 'b'],
      [150, 'c'],
      [5, 'd'],
      [null, 'e'],
    ];
    const { rule, statuses } = evaluate('ColumnValues "x" > 160 where "x > 100"', cols, data);
    expect(statuses).toEqual([P, P, F, P, P]);
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.x.ColumnValues.Compliance': 0.5,
      'Column.x.Minimum': 150,
      'Column.x.Maximum': 200,
    });
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 1, 'Rows Failed': 1, 'Total Rows Processed': 2 });
  });

  it('IsComplete and Completeness with where', () => {
    const data: Cell[][] = [
      [1, null],
      [2, 'a'],
      [null, null],
      [3, null],
    ];
    const ic = evaluate('IsComplete "name" where "x > 1"', cols, data);
    expect(ic.statuses).toEqual([P, P, P, F]);
    expect(ic.rule.Result).toBe('FAIL');
    expect(ic.rule.EvaluatedMetrics).toEqual({ 'Column.name.Completeness': 0.5 });
    const c = evaluate('Completeness "name" = 1.0 where "x = 2"', cols, data);
    expect(c.rule.Result).toBe('PASS');
    expect(c.statuses).toEqual([P, P, P, P]);
  });

  it('uniqueness rules and statistics with where', () => {
    const data: Cell[][] = [
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
      [4, 'a'],
    ];
    const u = evaluate('IsUnique "name" where "x <= 3"', cols, data);
    expect(u.rule.EvaluatedMetrics).toEqual({ 'Column.name.Uniqueness': 1 / 3 });
    expect(u.statuses).toEqual([P, F, P, P]);
    const dvc = evaluate('DistinctValuesCount "name" = 1 where "x IN (1, 2, 4)"', cols, data);
    expect(dvc.rule.Result).toBe('PASS');
    expect(dvc.rule.EvaluatedMetrics).toEqual({ 'Column.name.DistinctValuesCount': 1 });
    const mean = evaluate('Mean "x" = 3 where "name = \'a\' AND x > 1"', cols, data);
    expect(mean.rule.Result).toBe('PASS');
    expect(mean.rule.EvaluatedMetrics).toEqual({ 'Column.x.Mean': 3 });
  });

  it('SQL three-valued logic: a row is kept only when the filter is TRUE', () => {
    expect(count('x > 1')).toBe(3);
    expect(count('NOT (x > 1)')).toBe(2);
    expect(count("x > 1 OR name = 'S_x'")).toBe(4);
    expect(count('x IN (1, NULL)')).toBe(1);
    expect(count('x NOT IN (1, NULL)')).toBe(0);
    expect(count('x NOT IN (1, 2)')).toBe(3);
    expect(count('x = NULL')).toBe(0);
    expect(count('NOT (x = NULL)')).toBe(0);
  });

  it('LIKE, IN, BETWEEN, IS [NOT] NULL', () => {
    expect(count("name LIKE 'Star%'")).toBe(2);
    expect(count("name NOT LIKE 'Star%'")).toBe(3);
    expect(count("name LIKE 'S\\\\_%'")).toBe(1);
    expect(count("name LIKE 'S_a%'")).toBe(2);
    expect(count('x IN (1, 3)')).toBe(2);
    expect(count('x BETWEEN 1 AND 3')).toBe(3);
    expect(count('x NOT BETWEEN 1 AND 3')).toBe(2);
    expect(count('x IS NOT NULL')).toBe(5);
    expect(count('x IS NULL')).toBe(1);
    expect(count('name IS NOT NULL AND x >= 2')).toBe(2);
    expect(count("lower(name) = 'star wars' OR length(name) = 5")).toBe(2);
  });

  it('keywords in any case, functions, arithmetic and quoting', () => {
    expect(count('x is not null and x between 1 and 3')).toBe(3);
    expect(count('coalesce(x, 0) = 0')).toBe(2);
    expect(count('x / 0 IS NULL')).toBe(6);
    expect(count('x * 2 + 1 > 6')).toBe(2);
    expect(count("upper(name) = 'STAR'")).toBe(1);
    const quoted = { 'col B': 'integer', who: 'string' } as const;
    const data: Cell[][] = [
      [1, "O'Brien"],
      [2, 'Smith'],
      [3, "O'Brien"],
    ];
    const { rule, statuses } = evaluate(
      'ColumnValues "col B" > 1 where "`col B` > 0 AND who = \'O\'\'Brien\'"',
      quoted,
      data,
    );
    expect(statuses).toEqual([F, P, P]);
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.col B.ColumnValues.Compliance': 0.5,
      'Column.col B.Minimum': 1,
      'Column.col B.Maximum': 3,
    });
  });

  it.each([['x >> 1'], ['nope > 1'], ['x >'], ['frobnicate(x) = 1'], ["name LIKE 'a"]])(
    'an invalid where clause (%s) is an ERROR',
    (where) => {
      const { rule, statuses, result } = evaluate(`RowCount > 0 where "${where}"`, cols, rows);
      expect(rule.Result).toBe('ERROR');
      expect(rule.EvaluationMessage).toMatch(/where clause/);
      expect(rule.EvaluatedMetrics).toEqual({});
      expect(statuses.every((s) => s === S)).toBe(true);
      expect(result.Score).toBe(0);
      const rowLevel = evaluate(`ColumnValues "x" > 0 where "${where}"`, cols, rows);
      expect(rowLevel.rule.Result).toBe('ERROR');
    },
  );
});

describe('composite rules', () => {
  const cols = { a: 'integer', b: 'integer' } as const;
  const rows: Cell[][] = [
    [2, 1],
    [0, 3],
  ];
  const either = '(ColumnValues "a" > 1) or (ColumnValues "b" > 2)';

  it('COLUMN mode (the default) combines the children’s dataset outcomes', () => {
    const { rule, ev } = evaluate(either, cols, rows);
    expect(rule.Result).toBe('FAIL');
    expect(rule.Description).toBe(either);
    expect(rule.EvaluatedMetrics).toEqual({
      'Column.a.ColumnValues.Compliance': 0.5,
      'Column.a.Minimum': 0,
      'Column.a.Maximum': 2,
      'Column.b.ColumnValues.Compliance': 0.5,
      'Column.b.Minimum': 1,
      'Column.b.Maximum': 3,
    });
    expect(rule.EvaluationMessage!.split('\n')).toHaveLength(2);
    // Column-wise composites are dataset-level outcomes: batch gates.
    expect(ev.rules[0]).toMatchObject({ rowLevel: true, tolerance: true });
    const column = evaluate(either, cols, rows, { compositeMethod: 'COLUMN' });
    expect(column.rule.Result).toBe('FAIL');
  });

  it('ROW mode combines per row', () => {
    const { rule, statuses } = evaluate(either, cols, rows, { compositeMethod: 'ROW' });
    expect(rule.Result).toBe('PASS');
    expect(rule.EvaluationMessage).toBeUndefined();
    expect(statuses).toEqual([P, P]);
    expect(rule.RuleMetrics).toEqual({ 'Rows Passed': 2, 'Rows Failed': 0, 'Total Rows Processed': 2 });
  });

  it('and', () => {
    const both = '(ColumnValues "a" >= 0) and (ColumnValues "b" > 2)';
    const column = evaluate(both, cols, rows);
    expect(column.rule.Result).toBe('FAIL');
    const row = evaluate(both, cols, rows, { compositeMethod: 'ROW' });
    expect(row.rule.Result).toBe('FAIL');
    expect(row.statuses).toEqual([F, P]);
    const pass = evaluate('(ColumnValues "a" >= 0) and (ColumnValues "b" >= 1)', cols, rows);
    expect(pass.rule.Result).toBe('PASS');
    expect(pass.statuses).toEqual([P, P]);
  });

  it('or passes in COLUMN mode when one child passes over the whole dataset', () => {
    const { rule } = evaluate('(ColumnValues "a" > 5) or (ColumnValues "b" >= 1)', cols, rows);
    expect(rule.Result).toBe('PASS');
  });

  it('ROW mode allows NULLs explicitly', () => {
    const rule = '(ColumnValues "a" > 1) or (ColumnValues "a" = NULL)';
    const data: Cell[][] = [
      [2, 0],
      [null, 0],
      [0, 0],
    ];
    const { statuses, rule: result } = evaluate(rule, cols, data, { compositeMethod: 'ROW' });
    expect(statuses).toEqual([P, P, F]);
    expect(result.Result).toBe('FAIL');
    expect(evaluate(rule, cols, data.slice(0, 2), { compositeMethod: 'ROW' }).rule.Result).toBe('PASS');
  });

  it('nested composites; and binds tighter than or', () => {
    const nested = '(ColumnValues "a" > 1) or ((ColumnValues "b" > 2) and (ColumnValues "a" >= 0))';
    const row = evaluate(nested, cols, rows, { compositeMethod: 'ROW' });
    expect(row.rule.Result).toBe('PASS');
    expect(row.rule.Description).toBe(nested);
    expect(evaluate(nested, cols, rows).rule.Result).toBe('FAIL');
    const bare = 'ColumnValues "a" > 5 or ColumnValues "b" > 0 and ColumnValues "a" >= 0';
    expect(evaluate(bare, cols, rows).rule.Result).toBe('PASS');
  });

  it('dataset-level children', () => {
    const and = evaluate('(RowCount = 2) and (Mean "a" = 1)', cols, rows);
    expect(and.rule.Result).toBe('PASS');
    expect(and.rule.EvaluatedMetrics).toEqual({ 'Dataset.*.RowCount': 2, 'Column.a.Mean': 1 });
    expect(and.statuses).toEqual([S, S]);
    expect(evaluate('(RowCount = 3) or (Mean "a" = 2)', cols, rows).rule.Result).toBe('FAIL');
  });

  it('a child that cannot be evaluated makes the composite an ERROR unless the outcome is decided', () => {
    const sql = 'CustomSql "select count(*) from primary" > 0';
    expect(evaluate(`(RowCount = 2) and (${sql})`, cols, rows).rule.Result).toBe('ERROR');
    expect(evaluate(`(RowCount = 3) and (${sql})`, cols, rows).rule.Result).toBe('FAIL');
    expect(evaluate(`(RowCount = 2) or (${sql})`, cols, rows).rule.Result).toBe('PASS');
    expect(evaluate(`(RowCount = 3) or (${sql})`, cols, rows).rule.Result).toBe('ERROR');
  });
});

describe('rules that cannot be evaluated here', () => {
  it.each([
    ['CustomSql "select count(*) from primary" between 10 and 20'],
    ['CustomSql "select id from primary where id > 0"'],
    ['ReferentialIntegrity "id" "reference.{ref_id}" = 1.0'],
    ['DatasetMatch "reference" "id->ref_id" >= 0.9'],
    ['RowCountMatch "reference" >= 0.9'],
    ['SchemaMatch "reference" = 1.0'],
    ['AggregateMatch "sum(id)" "sum(reference.id)" = 1.0'],
    ['FileSize "s3://bucket/file.dat" > 2 MB'],
    ['FileFreshness "s3://bucket/" > (now() - 24 hours)'],
    ['FileUniqueness "s3://bucket/" > 0.5'],
    ['DetectAnomalies "RowCount"'],
    ['RowCount > avg(last(10))'],
    ['RowCount > avg(last(10)) * 0.8'],
    ['Completeness "id" >= index(last(10), 2)'],
  ])('%s is an ERROR, never a PASS', (text) => {
    const { rule, statuses, result } = evaluate(text, { id: 'integer' }, column([1, 2, 3]));
    expect(rule.Result).toBe('ERROR');
    expect(rule.EvaluationMessage).toEqual(expect.any(String));
    expect(rule.EvaluationMessage!.length).toBeGreaterThan(10);
    expect(rule.EvaluatedMetrics).toEqual({});
    expect(statuses).toEqual([S, S, S]);
    expect(result.Score).toBe(0);
    expect(result.AggregatedMetrics).toMatchObject({ TotalRulesPassed: 0, TotalRulesFailed: 1 });
  });

  it('messages say why', () => {
    expect(evaluate('RowCount > avg(last(10))', X, []).rule.EvaluationMessage).toContain('earlier runs');
    expect(evaluate('CustomSql "select 1" = 1', X, []).rule.EvaluationMessage).toContain('CustomSql');
  });
});

describe('a column the data lacks', () => {
  it.each([
    ['Completeness "nope" > 0.5'],
    ['IsComplete "nope"'],
    ['ColumnValues "nope" > 0'],
    ['Mean "nope" > 0'],
    ['IsUnique "x" "nope"'],
    ['ColumnCorrelation "x" "nope" > 0.5'],
    ['DataFreshness "nope" <= 24 hours'],
  ])('%s fails and names the column', (text) => {
    const { rule } = evaluate(text, X, column([1, 2]));
    expect(rule.Result).toBe('FAIL');
    expect(rule.EvaluationMessage).toContain('nope');
    expect(rule.EvaluatedMetrics).toEqual({});
  });
});

describe('the ruleset result', () => {
  const cols = { x: 'integer', s: 'string' } as const;
  const rows: Cell[][] = [
    [1, 'a'],
    [2, 'b'],
    [3, null],
  ];
  const rules = [
    'RowCount = 3',
    'IsComplete "s"',
    'ColumnValues "x" > 0',
    'CustomSql "select count(*) from primary" > 0',
  ].join(',\n');

  it('Score is passed rules over all rules; rules are named and described', () => {
    const { result } = evaluate(rules, cols, rows);
    expect(result.Score).toBe(0.5);
    expect(result.RuleResults.map((r) => [r.Name, r.Result])).toEqual([
      ['Rule_1', 'PASS'],
      ['Rule_2', 'FAIL'],
      ['Rule_3', 'PASS'],
      ['Rule_4', 'ERROR'],
    ]);
    expect(result.RuleResults.map((r) => r.Description)).toEqual([
      'RowCount = 3',
      'IsComplete "s"',
      'ColumnValues "x" > 0',
      'CustomSql "select count(*) from primary" > 0',
    ]);
    expect(result.RuleResults.map((r) => r.EvaluatedRule)).toEqual(
      result.RuleResults.map((r) => r.Description),
    );
    expect(result.AnalyzerResults).toEqual([]);
  });

  it('AggregatedMetrics count rows that failed a rule or the contract', () => {
    const { result, all } = evaluate(rules, cols, rows, { contract: [false, true, true] });
    expect(all).toEqual([
      [S, P, P, S],
      [S, P, P, S],
      [S, F, P, S],
    ]);
    expect(result.AggregatedMetrics).toEqual({
      TotalRowsProcessed: 3,
      TotalRowsPassed: 1,
      TotalRowsFailed: 2,
      TotalRulesProcessed: 4,
      TotalRulesPassed: 2,
      TotalRulesFailed: 2,
    });
  });

  it('row() returns whether the row passed', () => {
    const ev = new Evaluation(parseRuleset('Rules = [ ColumnValues "x" > 1 ]'), {
      columns: [{ name: 'x', type: 'integer' }],
    });
    expect(ev.row([2], 2)).toBe(true);
    expect(ev.row([1], 3)).toBe(false);
    expect(ev.row([5], 4, false)).toBe(false);
    expect(ev.finish().AggregatedMetrics).toMatchObject({ TotalRowsPassed: 1, TotalRowsFailed: 2 });
  });

  it('a batch gate reports its per-row outcome but fails no row: only row checks and the contract do', () => {
    const { result, all } = evaluate(
      'Completeness "x" >= 0.5, IsComplete "s"',
      { x: 'integer', s: 'string' },
      [
        [null, 'a'],
        [null, null],
        [1, 'b'],
        [2, 'c'],
      ],
    );
    expect(all).toEqual([
      [F, P],
      [F, F],
      [P, P],
      [P, P],
    ]);
    expect(result.RuleResults.map((r) => r.Result)).toEqual(['PASS', 'FAIL']);
    expect(result.AggregatedMetrics).toMatchObject({ TotalRowsPassed: 3, TotalRowsFailed: 1 });
  });

  it('a ruleset where everything passes scores 1', () => {
    const { result } = evaluate('RowCount = 3, ColumnValues "x" between 0 and 4', cols, rows);
    expect(result.Score).toBe(1);
    expect(result.AggregatedMetrics.TotalRowsFailed).toBe(0);
  });
});

describe('labels', () => {
  it('rule labels merge with the defaults', () => {
    const source = [
      'DefaultLabels = ["team"="data", "tier"="1"]',
      'Rules = [ RowCount > 0 labels=["team"="qa"], IsComplete "x" ]',
    ].join('\n');
    const { result, ev } = evaluate(source, X, column([1]));
    expect(result.RuleResults.map((r) => r.Labels)).toEqual([
      { team: 'qa', tier: '1' },
      { team: 'data', tier: '1' },
    ]);
    expect(ev.rules[0]!.labels).toEqual({ team: 'qa', tier: '1' });
  });

  it('no labels, no Labels field', () => {
    expect(evaluate('RowCount > 0', X, column([1])).rule).not.toHaveProperty('Labels');
  });
});

describe('analyzers', () => {
  it('AllStatistics puts its metrics in AnalyzerResults, not in RuleResults', () => {
    const cols = { x: 'integer', s: 'string' } as const;
    const rows: Cell[][] = [
      [1, 'a'],
      [2, 'bb'],
      [2, 'a'],
      [null, 'ccc'],
    ];
    const source = 'Rules = [ RowCount > 0 ]\nAnalyzers = [ AllStatistics "x", AllStatistics "s" ]';
    const { result, all, ev } = evaluate(source, cols, rows);
    expect(result.RuleResults).toHaveLength(1);
    expect(result.RuleResults[0]!.EvaluatedMetrics).toEqual({ 'Dataset.*.RowCount': 4 });
    expect(result.Score).toBe(1);
    expect(ev.rules).toHaveLength(1);
    expect(all).toEqual([[S], [S], [S], [S]]);

    expect(result.AnalyzerResults.length).toBeGreaterThan(0);
    for (const a of result.AnalyzerResults) {
      expect(a.Name).toMatch(/^Analyzer_\d+$/);
      expect(a.EvaluationMessage).toBeUndefined();
      expect(a).not.toHaveProperty('Result');
    }
    const metrics = Object.assign({}, ...result.AnalyzerResults.map((a) => a.EvaluatedMetrics)) as Record<
      string,
      number
    >;
    expect(metrics).toMatchObject({
      'Dataset.*.RowCount': 4,
      'Column.x.Completeness': 0.75,
      'Column.x.DistinctValuesCount': 2,
      'Column.x.Mean': 5 / 3,
      'Column.x.Sum': 5,
      'Column.s.Completeness': 1,
      'Column.s.DistinctValuesCount': 3,
      'Column.s.MinimumLength': 1,
      'Column.s.MaximumLength': 3,
    });
    expect(metrics['Column.x.Uniqueness']).toBeCloseTo(1 / 3, 12);
    expect(metrics['Column.x.StandardDeviation']).toBeCloseTo(Math.sqrt(2 / 9), 12);
    expect(metrics['Column.x.Entropy']).toBeCloseTo(
      -(1 / 3) * Math.log(1 / 3) - (2 / 3) * Math.log(2 / 3),
      12,
    );
    expect(metrics['Column.s.Uniqueness']).toBe(0.5);
    expect(metrics).not.toHaveProperty('Column.s.Mean');
    expect(metrics).not.toHaveProperty('Column.x.MinimumLength');
  });

  it('analyzers alone', () => {
    const { result } = evaluate('Analyzers = [ Completeness "x", Mean "x" ]', X, column([1, null, 3]));
    expect(result.RuleResults).toEqual([]);
    expect(result.AnalyzerResults.map((a) => a.EvaluatedMetrics)).toEqual([
      { 'Column.x.Completeness': 2 / 3 },
      { 'Column.x.Mean': 2 },
    ]);
  });
});

describe('tolerance and row-level flags', () => {
  it('tell ratio rules from all-rows rules', () => {
    const rules = [
      'Completeness "s" > 0.95',
      'IsComplete "s"',
      'ColumnValues "x" > 0',
      'ColumnValues "x" > 0 with threshold > 0.9',
      'RowCount > 0',
      'Uniqueness "s" > 0.9',
      'IsUnique "s"',
      'IsPrimaryKey "x"',
      'ColumnLength "s" < 10',
      'ColumnDataType "s" = "INTEGER"',
      'Mean "x" > 0',
      'CustomSql "select 1" = 1',
    ].join(',\n');
    const { ev } = evaluate(rules, { x: 'integer', s: 'string' }, [[1, 'a']]);
    expect(ev.rules.map((r) => [r.description, r.tolerance, r.rowLevel])).toEqual([
      ['Completeness "s" > 0.95', true, true],
      ['IsComplete "s"', false, true],
      ['ColumnValues "x" > 0', false, true],
      ['ColumnValues "x" > 0 with threshold > 0.9', true, true],
      ['RowCount > 0', true, false],
      ['Uniqueness "s" > 0.9', true, true],
      ['IsUnique "s"', false, true],
      ['IsPrimaryKey "x"', false, true],
      ['ColumnLength "s" < 10', false, true],
      ['ColumnDataType "s" = "INTEGER"', false, true],
      ['Mean "x" > 0', true, false],
      ['CustomSql "select 1" = 1', true, false],
    ]);
  });
});

describe('edges found in review', () => {
  const NOW = new Date('2024-06-10T12:00:00Z');

  it('ColumnDataType DATE refuses dates that do not exist', () => {
    const r = evaluate(
      'ColumnDataType "s" = "DATE"',
      STR,
      column(['2024-01-31', '2024-02-30', '2023-02-29', '31-01-2024']),
    );
    expect(r.statuses).toEqual([P, F, F, F]);
    expect(r.rule.EvaluatedMetrics).toEqual({ 'Column.s.ColumnDataType.Compliance': 0.25 });
  });

  it('text that is not a date is NULL for date tests, not a lenient guess', () => {
    const r = evaluate(
      'ColumnValues "s" < now()',
      STR,
      column(['abc 12', 'Mon 5', '2024-06-01 08:30:00', '2024-06-01T08:30:00+02:00']),
      { now: NOW },
    );
    expect(r.statuses).toEqual([F, F, P, P]);
    const t = evaluate('ColumnDataType "s" = "TIMESTAMP"', STR, column(['abc 12', '12', '2024-06-10 25:00']));
    expect(t.rule.Result).toBe('FAIL');
    expect(t.statuses).toEqual([F, F, F]);
  });

  it('ROW-wise composites of ratio or threshold rules are an ERROR, not a silent every-row rule', () => {
    const cols = { x: 'integer', y: 'integer' } as const;
    const rows: Cell[][] = [
      [1, 1],
      [2, 1],
      [null, 1],
    ];
    for (const rule of [
      '(Completeness "x" > 0.5) and (ColumnValues "y" > 0)',
      '(ColumnValues "x" > 1 with threshold > 0.3) and (ColumnValues "y" > 0)',
    ]) {
      const r = evaluate(rule, cols, rows, { compositeMethod: 'ROW' });
      expect(r.rule.Result).toBe('ERROR');
      expect(r.rule.EvaluationMessage).toMatch(/cannot be combined row by row/);
    }
    expect(evaluate('(Completeness "x" > 0.5) and (ColumnValues "y" > 0)', cols, rows).rule.Result).toBe(
      'PASS',
    );
  });

  it('Sum over no values cannot be computed, like Mean', () => {
    const r = evaluate('Sum "x" = 0', X, column([null, null]));
    expect(r.rule.Result).toBe('FAIL');
    expect(r.rule.EvaluatedMetrics).toEqual({});
  });

  it('matches takes a leading (?i) as Java does, and reports patterns beyond JavaScript as ERROR', () => {
    expect(evaluate('ColumnValues "s" matches "(?i)heat"', STR, column(['HEAT', 'Heat'])).rule.Result).toBe(
      'PASS',
    );
    const r = evaluate('ColumnValues "s" matches "\\p{IsAlphabetic}+"', STR, column(['a']));
    expect(r.rule.Result).toBe('ERROR');
    expect(r.rule.EvaluationMessage).toMatch(/uses syntax this engine does not support/);
  });
});
