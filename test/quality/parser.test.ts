import { describe, expect, it } from '@jest/globals';
import type { RuleNode, Ruleset } from '../../quality/ast.ts';
import { formatRuleset } from '../../quality/format.ts';
import { DqdlSyntaxError } from '../../quality/lexer.ts';
import { parseRule, parseRuleset } from '../../quality/parser.ts';
import { RULE_TYPES } from '../../quality/rule-types.ts';

/** A partial AST, matched with toMatchObject (arrays must have the same length). */
type Shape = Record<string, unknown>;

const num = (value: number): Shape => ({ kind: 'number', value });
const str = (value: string): Shape => ({ kind: 'string', value });
const kw = (name: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY'): Shape => ({ kind: 'keyword', name });
const date = (text: string): Shape => ({ kind: 'date', text });
const time = (text: string): Shape => ({ kind: 'time', text });
const dur = (amount: number, unit: string): Shape => ({ kind: 'duration', amount, unit });
const size = (amount: number, unit: string): Shape => ({ kind: 'size', amount, unit });
const call = (name: string, ...args: Shape[]): Shape => ({ kind: 'call', name, args });
const bin = (op: string, left: Shape, right: Shape): Shape => ({ kind: 'binary', op, left, right });
const paren = (inner: Shape): Shape => ({ kind: 'paren', inner });
const ref = (name: string): Shape => ({ kind: 'variable', name });
const now = call('now');

const cmp = (op: string, operand: Shape): Shape => ({ kind: 'compare', op, operand });
const between = (low: Shape, high: Shape, negated = false): Shape => ({
  kind: 'between',
  negated,
  low,
  high,
});
const inList = (items: Shape[], negated = false): Shape => ({ kind: 'in', negated, items });
const matches = (pattern: string, negated = false): Shape => ({ kind: 'matches', negated, pattern });

const rule = (type: string, params: string[], extra: Shape = {}): Shape => ({
  kind: 'rule',
  type,
  params,
  ...extra,
});
const and = (...operands: Shape[]): Shape => ({ kind: 'composite', op: 'and', operands });
const or = (...operands: Shape[]): Shape => ({ kind: 'composite', op: 'or', operands });

/** Single rules, parsed alone (parseRule) and inside `Rules = [ ... ]`. */
const VALID_RULES: [string, Shape][] = [
  // Numeric conditions, one operator per rule type.
  ['RowCount = 100', rule('RowCount', [], { condition: cmp('=', num(100)) })],
  ['ColumnCount != 0', rule('ColumnCount', [], { condition: cmp('!=', num(0)) })],
  ['Mean "runtime" > 90.5', rule('Mean', ['runtime'], { condition: cmp('>', num(90.5)) })],
  ['Sum "revenue" >= -10', rule('Sum', ['revenue'], { condition: cmp('>=', num(-10)) })],
  [
    'StandardDeviation "rating" < 1.5',
    rule('StandardDeviation', ['rating'], { condition: cmp('<', num(1.5)) }),
  ],
  ['Variance "rating" <= 10.0', rule('Variance', ['rating'], { condition: cmp('<=', num(10)) })],
  ['RowCount between 10 and 100', rule('RowCount', [], { condition: between(num(10), num(100)) })],
  ['RowCount between -5 and 5', rule('RowCount', [], { condition: between(num(-5), num(5)) })],
  [
    'Entropy "genre" not between 0 and 1',
    rule('Entropy', ['genre'], { condition: between(num(0), num(1), true) }),
  ],
  [
    'ColumnLength "iso_code" in [2, 3]',
    rule('ColumnLength', ['iso_code'], { condition: inList([num(2), num(3)]) }),
  ],
  [
    'DistinctValuesCount "status" not in [0, 1]',
    rule('DistinctValuesCount', ['status'], { condition: inList([num(0), num(1)], true) }),
  ],
  [
    'UniqueValueRatio "test_score" between 0 and 0.5',
    rule('UniqueValueRatio', ['test_score'], { condition: between(num(0), num(0.5)) }),
  ],
  [
    'ColumnValues "year" in [1999, 2000, NULL]',
    rule('ColumnValues', ['year'], { condition: inList([num(1999), num(2000), kw('NULL')]) }),
  ],
  ['ColumnValues "age" > 21', rule('ColumnValues', ['age'], { condition: cmp('>', num(21)) })],
  ['ColumnValues "age" = NULL', rule('ColumnValues', ['age'], { condition: cmp('=', kw('NULL')) })],

  // String conditions.
  [
    'ColumnValues "status" = "released"',
    rule('ColumnValues', ['status'], { condition: cmp('=', str('released')) }),
  ],
  ['ColumnValues "status" != EMPTY', rule('ColumnValues', ['status'], { condition: cmp('!=', kw('EMPTY')) })],
  [
    'ColumnValues "country" in ["US", "GB", NULL, EMPTY, WHITESPACES_ONLY]',
    rule('ColumnValues', ['country'], {
      condition: inList([str('US'), str('GB'), kw('NULL'), kw('EMPTY'), kw('WHITESPACES_ONLY')]),
    }),
  ],
  [
    'ColumnValues "country" not in ["XX", null, empty, whitespaces_only]',
    rule('ColumnValues', ['country'], {
      condition: inList([str('XX'), kw('NULL'), kw('EMPTY'), kw('WHITESPACES_ONLY')], true),
    }),
  ],
  [
    String.raw`ColumnValues "title" in ["say \"hi\"", "back\\slash"]`,
    rule('ColumnValues', ['title'], { condition: inList([str('say "hi"'), str('back\\slash')]) }),
  ],
  [
    'ColumnValues "imdb_id" matches "tt[0-9]{7,8}"',
    rule('ColumnValues', ['imdb_id'], { condition: matches('tt[0-9]{7,8}') }),
  ],
  [
    String.raw`ColumnValues "title" not matches "\s*"`,
    rule('ColumnValues', ['title'], { condition: matches('\\s*', true) }),
  ],
  [
    'ColumnValues "email" matches "[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+"',
    rule('ColumnValues', ['email'], { condition: matches('[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+') }),
  ],

  // Dates and times.
  [
    'ColumnValues "release_date" > "2023-01-01"',
    rule('ColumnValues', ['release_date'], { condition: cmp('>', date('2023-01-01')) }),
  ],
  ['ColumnValues "load_date" <= now()', rule('ColumnValues', ['load_date'], { condition: cmp('<=', now) })],
  [
    'ColumnValues "load_date" > (now() - 3 days)',
    rule('ColumnValues', ['load_date'], { condition: cmp('>', paren(bin('-', now, dur(3, 'days')))) }),
  ],
  [
    'ColumnValues "d" between "2020-01-01" and (now() + 12 hours)',
    rule('ColumnValues', ['d'], {
      condition: between(date('2020-01-01'), paren(bin('+', now, dur(12, 'hours')))),
    }),
  ],
  [
    'ColumnValues "d" in [now(), (now() - 4 days), "2023-01-01"]',
    rule('ColumnValues', ['d'], {
      condition: inList([now, paren(bin('-', now, dur(4, 'days'))), date('2023-01-01')]),
    }),
  ],
  [
    'FileFreshness between "9:30 AM" and "9:30 PM"',
    rule('FileFreshness', [], { condition: between(time('9:30 AM'), time('9:30 PM')) }),
  ],
  [
    'FileFreshness "s3://bucket/" > "21:45" with timeZone = "America/New_York"',
    rule('FileFreshness', ['s3://bucket/'], {
      condition: cmp('>', time('21:45')),
      options: { timeZone: 'America/New_York' },
    }),
  ],
  [
    'FileFreshness "s3://bucket/" between "2023-01-01" and "2024-01-01"',
    rule('FileFreshness', ['s3://bucket/'], { condition: between(date('2023-01-01'), date('2024-01-01')) }),
  ],
  [
    'FileFreshness "s3://bucket/" > (now() - 24 hours) with threshold > 0.1',
    rule('FileFreshness', ['s3://bucket/'], {
      condition: cmp('>', paren(bin('-', now, dur(24, 'hours')))),
      threshold: cmp('>', num(0.1)),
    }),
  ],

  // Durations and sizes.
  [
    'DataFreshness "Order_Date" <= 24 hours',
    rule('DataFreshness', ['Order_Date'], { condition: cmp('<=', dur(24, 'hours')) }),
  ],
  [
    'DataFreshness "updated_at" between 2 days and 5 days',
    rule('DataFreshness', ['updated_at'], { condition: between(dur(2, 'days'), dur(5, 'days')) }),
  ],
  [
    'DataFreshness "updated_at" < 30 minutes where "source = \'feed\'"',
    rule('DataFreshness', ['updated_at'], {
      condition: cmp('<', dur(30, 'minutes')),
      where: "source = 'feed'",
    }),
  ],
  [
    'FileSize "s3://bucket/file.dat" > 2 MB',
    rule('FileSize', ['s3://bucket/file.dat'], { condition: cmp('>', size(2, 'MB')) }),
  ],
  [
    'FileSize between 2 GB and 1 TB with threshold > 0.7',
    rule('FileSize', [], { condition: between(size(2, 'GB'), size(1, 'TB')), threshold: cmp('>', num(0.7)) }),
  ],
  [
    'FileSize <= 512 KB with failFast = "true"',
    rule('FileSize', [], { condition: cmp('<=', size(512, 'KB')), options: { failFast: 'true' } }),
  ],
  ['FileSize in [1 B, 2 B]', rule('FileSize', [], { condition: inList([size(1, 'B'), size(2, 'B')]) })],

  // Dynamic expressions (one flat, left-associative precedence level, as in Glue's grammar).
  [
    'RowCount > avg(last(10)) * 0.8',
    rule('RowCount', [], { condition: cmp('>', bin('*', call('avg', call('last', num(10))), num(0.8))) }),
  ],
  [
    'UniqueValueRatio "colA" <= index(last(10), 2) + std(last(5))',
    rule('UniqueValueRatio', ['colA'], {
      condition: cmp(
        '<=',
        bin('+', call('index', call('last', num(10)), num(2)), call('std', call('last', num(5)))),
      ),
    }),
  ],
  [
    'DistinctValuesCount "colA" between min(last(10))-1 and max(last(10))+1',
    rule('DistinctValuesCount', ['colA'], {
      condition: between(
        bin('-', call('min', call('last', num(10))), num(1)),
        bin('+', call('max', call('last', num(10))), num(1)),
      ),
    }),
  ],
  [
    'ColumnCount >= max(avg(last(10)))',
    rule('ColumnCount', [], { condition: cmp('>=', call('max', call('avg', call('last', num(10))))) }),
  ],
  ['RowCount > last()', rule('RowCount', [], { condition: cmp('>', call('last')) })],
  [
    'RowCount > 1 + 2 * 3',
    rule('RowCount', [], { condition: cmp('>', bin('*', bin('+', num(1), num(2)), num(3))) }),
  ],
  [
    'RowCount > 1 + (2 * 3)',
    rule('RowCount', [], { condition: cmp('>', bin('+', num(1), paren(bin('*', num(2), num(3))))) }),
  ],

  // with threshold, where, labels, options.
  [
    'ColumnValues "rating" between 0 and 10 with threshold > 0.95',
    rule('ColumnValues', ['rating'], {
      condition: between(num(0), num(10)),
      threshold: cmp('>', num(0.95)),
    }),
  ],
  [
    'ColumnValues "code" matches "[a-z]*" with threshold between 0.2 and 0.9',
    rule('ColumnValues', ['code'], { condition: matches('[a-z]*'), threshold: between(num(0.2), num(0.9)) }),
  ],
  [
    'ColumnDataType "year" = "INTEGER" with threshold > 0.9',
    rule('ColumnDataType', ['year'], { condition: cmp('=', str('INTEGER')), threshold: cmp('>', num(0.9)) }),
  ],
  [
    'ColumnDataType "year" != "STRING"',
    rule('ColumnDataType', ['year'], { condition: cmp('!=', str('STRING')) }),
  ],
  [
    'ColumnDataType "released" in ["DATE", "TIMESTAMP"] where "year > 1900"',
    rule('ColumnDataType', ['released'], {
      condition: inList([str('DATE'), str('TIMESTAMP')]),
      where: 'year > 1900',
    }),
  ],
  [
    'Completeness "First_Name" > 0.95 where "weightinkgs > 10"',
    rule('Completeness', ['First_Name'], { condition: cmp('>', num(0.95)), where: 'weightinkgs > 10' }),
  ],
  [
    'IsComplete "email" where "payment_type <> 0"',
    rule('IsComplete', ['email'], { where: 'payment_type <> 0' }),
  ],
  ['RowCount > 10 where "year >= 2000"', rule('RowCount', [], { where: 'year >= 2000' })],
  [
    'Uniqueness "email" != 1.0 where "country = \'US\'"',
    rule('Uniqueness', ['email'], { condition: cmp('!=', num(1)), where: "country = 'US'" }),
  ],
  [
    'Completeness "title" > 0.5 labels=["team"="data", "severity"="high"]',
    rule('Completeness', ['title'], { labels: { team: 'data', severity: 'high' } }),
  ],
  [
    'ColumnValues "c" > 0 with threshold > 0.8 labels=["k"="after"]',
    rule('ColumnValues', ['c'], { threshold: cmp('>', num(0.8)), labels: { k: 'after' } }),
  ],
  [
    'ColumnValues "c" > 0 labels=["k"="before"] with threshold > 0.8',
    rule('ColumnValues', ['c'], { threshold: cmp('>', num(0.8)), labels: { k: 'before' } }),
  ],
  [
    'ColumnValues "c" > 0 where "x > 1" labels=["k"="v"] with threshold >= 0.5',
    rule('ColumnValues', ['c'], { where: 'x > 1', threshold: cmp('>=', num(0.5)), labels: { k: 'v' } }),
  ],

  // Parameters: quoted, bare identifiers, connector words, variadic.
  ['Completeness of col_1 > 0.5', rule('Completeness', ['col_1'], { condition: cmp('>', num(0.5)) })],
  ['Completeness OF "order-id" > 0.5', rule('Completeness', ['order-id'], { condition: cmp('>', num(0.5)) })],
  ['IsPrimaryKey colA "colB"', rule('IsPrimaryKey', ['colA', 'colB'])],
  ['IsPrimaryKey "id"', rule('IsPrimaryKey', ['id'])],
  ['IsComplete "col B"', rule('IsComplete', ['col B'])],
  ['IsComplete "col_A-B.C"', rule('IsComplete', ['col_A-B.C'])],
  ['IsComplete tconst', rule('IsComplete', ['tconst'])],
  ['IsUnique "a" "b"', rule('IsUnique', ['a', 'b'])],
  ['Uniqueness "a" "b" "c" = 1', rule('Uniqueness', ['a', 'b', 'c'], { condition: cmp('=', num(1)) })],
  [
    'ColumnCorrelation "height" "weight" > 0.8',
    rule('ColumnCorrelation', ['height', 'weight'], { condition: cmp('>', num(0.8)) }),
  ],
  [
    'ColumnCorrelation of a and "b c" > 0.4',
    rule('ColumnCorrelation', ['a', 'b c'], { condition: cmp('>', num(0.4)) }),
  ],

  // The remaining rule types.
  ['ColumnExists "load_dt"', rule('ColumnExists', ['load_dt'])],
  ['ColumnNamesMatchPattern "aws_.*"', rule('ColumnNamesMatchPattern', ['aws_.*'])],
  [
    'RowCountMatch "reference" >= 0.9',
    rule('RowCountMatch', ['reference'], { condition: cmp('>=', num(0.9)) }),
  ],
  ['SchemaMatch "reference" = 1.0', rule('SchemaMatch', ['reference'], { condition: cmp('=', num(1)) })],
  [
    'AggregateMatch "sum(amount)" "sum(total_amount)" = 1.0',
    rule('AggregateMatch', ['sum(amount)', 'sum(total_amount)'], { condition: cmp('=', num(1)) }),
  ],
  [
    'ReferentialIntegrity "city,state" "reference.{ref_city,ref_state}" = 1.0',
    rule('ReferentialIntegrity', ['city,state', 'reference.{ref_city,ref_state}'], {
      condition: cmp('=', num(1)),
    }),
  ],
  [
    'DatasetMatch "reference" "ID_1->ID_ref1,ID_2->ID_ref2" "Amount1->Amount2" >= 0.9',
    rule('DatasetMatch', ['reference', 'ID_1->ID_ref1,ID_2->ID_ref2', 'Amount1->Amount2'], {
      condition: cmp('>=', num(0.9)),
    }),
  ],
  ['DatasetMatch "reference" "id" = 1', rule('DatasetMatch', ['reference', 'id'])],
  ['DetectAnomalies "RowCount"', rule('DetectAnomalies', ['RowCount'])],
  ['DetectAnomalies "ColumnLength" "id"', rule('DetectAnomalies', ['ColumnLength', 'id'])],
  [
    'CustomSql "select count(*) from primary" between 10 and 20',
    rule('CustomSql', ['select count(*) from primary'], { condition: between(num(10), num(20)) }),
  ],
  [
    'CustomSql "select id from primary where age < 100"',
    rule('CustomSql', ['select id from primary where age < 100']),
  ],
  [
    'CustomSql "select id from primary where age < 100" with threshold > 0.5',
    rule('CustomSql', ['select id from primary where age < 100'], { threshold: cmp('>', num(0.5)) }),
  ],
  ['FileMatch "s3://bucket/a/" "s3://bucket/b/"', rule('FileMatch', ['s3://bucket/a/', 's3://bucket/b/'])],
  [
    'FileMatch "s3://bucket/file.json" in ["6ea5fd3b"] with hashAlgorithm = "MD5"',
    rule('FileMatch', ['s3://bucket/file.json'], {
      condition: inList([str('6ea5fd3b')]),
      options: { hashAlgorithm: 'MD5' },
    }),
  ],
  [
    'FileMatch in ["6ea5fd3b", "9c1e"]',
    rule('FileMatch', [], { condition: inList([str('6ea5fd3b'), str('9c1e')]) }),
  ],
  [
    'FileUniqueness "s3://bucket/" > 0.5 with recentFiles = 3',
    rule('FileUniqueness', ['s3://bucket/'], { condition: cmp('>', num(0.5)), options: { recentFiles: 3 } }),
  ],
  ['FileUniqueness >= 1.0', rule('FileUniqueness', [], { condition: cmp('>=', num(1)) })],

  // Composite rules.
  ['(IsComplete "a") and (IsComplete "b")', and(rule('IsComplete', ['a']), rule('IsComplete', ['b']))],
  ['IsComplete "a" AND IsComplete "b"', and(rule('IsComplete', ['a']), rule('IsComplete', ['b']))],
  [
    '(RowCount > 0) AND (ColumnCount > 1) and (IsComplete "c")',
    and(rule('RowCount', []), rule('ColumnCount', []), rule('IsComplete', ['c'])),
  ],
  [
    '(ColumnValues "Age" > 21) OR (ColumnValues "Age" = NULL)',
    or(
      rule('ColumnValues', ['Age'], { condition: cmp('>', num(21)) }),
      rule('ColumnValues', ['Age'], { condition: cmp('=', kw('NULL')) }),
    ),
  ],
  [
    '(IsComplete "a") or ((IsComplete "b") and (IsComplete "c"))',
    or(rule('IsComplete', ['a']), and(rule('IsComplete', ['b']), rule('IsComplete', ['c']))),
  ],
  [
    '(IsComplete "a") OR (IsComplete "b") and (IsComplete "c")',
    or(rule('IsComplete', ['a']), and(rule('IsComplete', ['b']), rule('IsComplete', ['c']))),
  ],
  [
    '((IsComplete "a") or (IsComplete "b")) and (Completeness "c" between 0.5 and 1)',
    and(
      or(rule('IsComplete', ['a']), rule('IsComplete', ['b'])),
      rule('Completeness', ['c'], { condition: between(num(0.5), num(1)) }),
    ),
  ],
  [
    '((IsComplete "a") and (IsComplete "b")) labels=["scope"="pair"]',
    { ...and(rule('IsComplete', ['a']), rule('IsComplete', ['b'])), labels: { scope: 'pair' } },
  ],
  ['(((IsComplete "a")))', rule('IsComplete', ['a'])],
];

const FULL = [
  'Metadata = { "Version": "1.0" }',
  'DataSources = { "Primary": "movies", "AdditionalDataSources": [ "ratings", "crew" ] }',
  '# constants come before the rules',
  'allowed_ratings = ["G", "PG", "PG-13", "R", NULL, EMPTY]',
  'released = "Released"',
  'DefaultLabels = ["team"="data", "pipeline"="movies"]',
  'Rules = [',
  '  RowCount between 10 and 100,',
  '  ColumnValues "rating" in $allowed_ratings,',
  '  ColumnValues "status" = $released,',
  '  ColumnValues "rating" not in $allowed_ratings,',
  '  RowCountMatch "ratings" >= 0.9',
  ']',
  'Analyzers = [',
  '  RowCount,',
  '  Completeness "title",',
  '  AllStatistics "runtime"',
  ']',
].join('\n');

/** Whole rulesets, with a check of the parts the single-rule table cannot show. */
const VALID_RULESETS: [string, string, (r: Ruleset) => void][] = [
  [
    'every section',
    FULL,
    (r) => {
      expect(r.metadata).toEqual({ Version: '1.0' });
      expect(r.dataSources).toEqual({ Primary: 'movies', AdditionalDataSources: ['ratings', 'crew'] });
      expect(r.constants).toEqual({
        allowed_ratings: [str('G'), str('PG'), str('PG-13'), str('R'), kw('NULL'), kw('EMPTY')],
        released: str('Released'),
      });
      expect(r.defaultLabels).toEqual({ team: 'data', pipeline: 'movies' });
      expect(r.rules).toHaveLength(5);
      expect(r.rules[0]).toMatchObject({ type: 'RowCount', line: 8, column: 3 });
      expect(r.rules[1]).toMatchObject({ condition: inList([ref('allowed_ratings')]), line: 9 });
      expect(r.rules[2]).toMatchObject({ condition: cmp('=', ref('released')) });
      expect(r.rules[3]).toMatchObject({ condition: inList([ref('allowed_ratings')], true) });
      expect(r.analyzers).toMatchObject([
        rule('RowCount', []),
        rule('Completeness', ['title']),
        rule('AllStatistics', ['runtime']),
      ]);
      expect(r.analyzers[0]).not.toHaveProperty('condition');
      expect(r.analyzers[2]).toMatchObject({ line: 17, column: 3 });
    },
  ],
  [
    'string constants used with = and in',
    'blank = EMPTY\nname = "Heat"\nRules = [ ColumnValues "title" != $blank, ColumnValues "title" in [$name, "Ran"] ]',
    (r) => {
      expect(r.constants).toEqual({ blank: kw('EMPTY'), name: str('Heat') });
      expect(r.rules).toMatchObject([
        rule('ColumnValues', ['title'], { condition: cmp('!=', ref('blank')) }),
        rule('ColumnValues', ['title'], { condition: inList([ref('name'), str('Ran')]) }),
      ]);
    },
  ],
  [
    'comments and CRLF line endings',
    '# movie checks\r\nRules = [\r\n  # size\r\n  RowCount > 0, # inline\r\n  IsComplete "tconst"\r\n]\r\n# the end, no newline',
    (r) => {
      expect(r.rules).toMatchObject([
        rule('RowCount', [], { condition: cmp('>', num(0)), line: 4, column: 3 }),
        rule('IsComplete', ['tconst'], { line: 5, column: 3 }),
      ]);
    },
  ],
  [
    'tabs and a byte-order mark',
    '\uFEFFRules = [\n\tIsUnique "tconst"\n]',
    (r) => expect(r.rules).toMatchObject([rule('IsUnique', ['tconst'], { line: 2, column: 2 })]),
  ],
  [
    'analyzers only',
    'Analyzers = [ RowCount, Completeness "title", AllStatistics AllColumns, Distribution "Salary" ]',
    (r) => {
      expect(r.rules).toEqual([]);
      expect(r.analyzers.map((a) => [a.type, a.params])).toEqual([
        ['RowCount', []],
        ['Completeness', ['title']],
        ['AllStatistics', ['AllColumns']],
        ['Distribution', ['Salary']],
      ]);
    },
  ],
  [
    'an empty Rules section next to analyzers',
    'Rules = []\nAnalyzers = [ ColumnCount ]',
    (r) => {
      expect(r.rules).toEqual([]);
      expect(r.analyzers).toMatchObject([rule('ColumnCount', [], { line: 2, column: 15 })]);
    },
  ],
  [
    'composite rules in a ruleset',
    'Rules = [\n  (IsComplete "a") and (IsComplete "b") labels=["k"="v"],\n  (RowCount > 0) or (ColumnCount > 0)\n]',
    (r) => {
      expect(r.rules).toHaveLength(2);
      expect(r.rules[0]).toMatchObject(
        and(rule('IsComplete', ['a']), rule('IsComplete', ['b'], { labels: { k: 'v' } })),
      );
      expect(r.rules[1]).toMatchObject({ ...or(rule('RowCount', []), rule('ColumnCount', [])), line: 3 });
    },
  ],
  [
    'one-line ruleset',
    'Rules = [ ColumnValues "year" between 1888 and 2030, IsComplete "title" ]',
    (r) =>
      expect(r.rules).toMatchObject([
        rule('ColumnValues', ['year'], { line: 1, column: 11 }),
        rule('IsComplete', ['title'], { line: 1, column: 54 }),
      ]),
  ],
];

const asRuleset = (ruleText: string): string => `Rules = [\n  ${ruleText}\n]`;

function typesIn(nodes: readonly RuleNode[]): string[] {
  return nodes.flatMap((n) => (n.kind === 'rule' ? [n.type] : typesIn(n.operands)));
}

/** A parsed tree without source positions, to compare a ruleset with its formatted form. */
function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'line' && k !== 'column' && v !== undefined)
        .map(([k, v]) => [k, withoutPositions(v)]),
    );
  return value;
}

describe('DQDL parser: valid rules', () => {
  it.each(VALID_RULES)('%s', (text, shape) => {
    expect(parseRule(text)).toMatchObject(shape);
    const ruleset = parseRuleset(asRuleset(text));
    expect(ruleset.rules).toHaveLength(1);
    expect(ruleset.rules[0]).toMatchObject(shape);
    expect(ruleset.rules[0]).toMatchObject({ line: 2 });
  });

  it('covers every rule type in the catalogue', () => {
    const seen = new Set([
      ...VALID_RULES.flatMap(([text]) => typesIn([parseRule(text)])),
      ...VALID_RULESETS.flatMap(([, text]) => {
        const r = parseRuleset(text);
        return [...typesIn(r.rules), ...r.analyzers.map((a) => a.type)];
      }),
    ]);
    expect(Object.keys(RULE_TYPES).filter((t) => !seen.has(t))).toEqual([]);
  });

  it('rules without a condition have none, and options default to {}', () => {
    const r = parseRule('IsComplete "a"');
    expect(r).not.toHaveProperty('condition');
    expect(r).not.toHaveProperty('threshold');
    expect(r).not.toHaveProperty('where');
    expect(r).toMatchObject({ options: {} });
  });

  it('keeps the source text of numbers', () => {
    expect(parseRule('Sum "x" > 10.50')).toMatchObject({
      condition: cmp('>', { kind: 'number', value: 10.5, text: '10.50' }),
    });
    expect(parseRule('Sum "x" > -3')).toMatchObject({
      condition: cmp('>', { kind: 'number', value: -3, text: '-3' }),
    });
  });
});

describe('DQDL parser: valid rulesets', () => {
  it.each(VALID_RULESETS)('%s', (_name, text, check) => {
    check(parseRuleset(text));
  });
});

/** [description, source, line, column, message fragment]; sources starting with "rule:" go to parseRule. */
const INVALID: [string, string, number, number, string][] = [
  [
    'unknown rule type',
    'Rules = [\n  RowCount > 0,\n  RowTotal > 1\n]',
    3,
    3,
    'unknown rule type "RowTotal"',
  ],
  ['wrong case rule type', 'Rules = [ rowcount > 0 ]', 1, 11, 'did you mean RowCount?'],
  [
    'wrong case rule type (docs typo)',
    'Rules = [\n  isComplete "email"\n]',
    2,
    3,
    'did you mean IsComplete?',
  ],
  ['missing condition', 'Rules = [ Completeness "a" ]', 1, 28, 'expected a condition for Completeness'],
  ['missing condition at the end of a rule', 'rule:RowCount', 1, 9, 'expected a condition for RowCount'],
  ['condition on a boolean rule', 'Rules = [ IsComplete "a" > 0.5 ]', 1, 26, 'IsComplete takes no condition'],
  [
    'condition on ColumnExists',
    'Rules = [ ColumnExists "a" in ["x"] ]',
    1,
    28,
    'ColumnExists takes no condition',
  ],
  [
    'condition on FileMatch with two paths',
    'rule:FileMatch "s3://a" "s3://b" in ["x"]',
    1,
    29,
    'takes no condition',
  ],
  [
    'too many params',
    'Rules = [ Completeness "a" "b" > 0.5 ]',
    1,
    11,
    'Completeness takes 1 parameter, found 2',
  ],
  [
    'too few params',
    'Rules = [ ColumnCorrelation "a" > 0.5 ]',
    1,
    11,
    'ColumnCorrelation takes 2 parameters, found 1',
  ],
  [
    'params on a rule without any',
    'Rules = [ RowCount "movies" > 1 ]',
    1,
    11,
    'RowCount takes 0 parameters, found 1',
  ],
  ['no params on a variadic rule', 'Rules = [\n  IsUnique\n]', 2, 3, 'IsUnique takes at least 1 parameter'],
  [
    'too many DatasetMatch params',
    'rule:DatasetMatch "r" "a" "b" "c" = 1',
    1,
    1,
    'DatasetMatch takes 2 to 3 parameters',
  ],
  [
    'threshold on a rule that takes none',
    'Rules = [ Completeness "a" > 0.5 with threshold > 0.9 ]',
    1,
    39,
    'Completeness does not take a threshold',
  ],
  [
    'threshold on RowCount',
    'rule:RowCount > 0 with threshold > 0.8',
    1,
    19,
    'RowCount does not take a threshold',
  ],
  [
    'two thresholds',
    'rule:ColumnValues "c" > 1 with threshold > 0.5 with threshold > 0.6',
    1,
    48,
    'one threshold',
  ],
  [
    'threshold without a condition',
    'rule:ColumnValues "c" > 1 with threshold "x"',
    1,
    37,
    'expected a condition',
  ],
  [
    'where on a rule that takes none',
    'Rules = [ ColumnExists "a" where "x > 1" ]',
    1,
    28,
    'ColumnExists does not take a where clause',
  ],
  [
    'where on CustomSql',
    'rule:CustomSql "select count(*) from primary" > 0 where "x > 1"',
    1,
    46,
    'CustomSql does not take a where clause',
  ],
  [
    'where on ColumnNamesMatchPattern',
    'rule:ColumnNamesMatchPattern "aws_.*" where "x > 1"',
    1,
    34,
    'does not take a where clause',
  ],
  ['empty where clause', 'rule:IsComplete "a" where "  "', 1, 22, 'the where clause is empty'],
  ['where without a string', 'rule:IsComplete "a" where x > 1', 1, 22, 'a quoted filter after where'],
  [
    'two where clauses',
    'rule:Completeness "a" > 0.5 where "x" where "y"',
    1,
    34,
    'one where clause per rule',
  ],
  ['unterminated string', 'Rules = [\n  IsComplete "abc\n]', 2, 14, 'never closed (missing ")'],
  ['unterminated string at the end', 'rule:ColumnValues "c" = "abc', 1, 20, 'never closed'],
  ["missing ']'", 'Rules = [\n  RowCount > 0\n', 3, 1, "expected ',' or ']', found the end of the ruleset"],
  [
    "missing ']' before the next rule",
    'Rules = [ RowCount > 0 IsComplete "a" ]',
    1,
    24,
    "expected ',' or ']'",
  ],
  ["missing ']' in a list", 'rule:ColumnValues "c" in ["a", "b"', 1, 30, "expected ',' or ']'"],
  ['between without and', 'Rules = [ RowCount between 1 ]', 1, 30, "expected 'and' (between X and Y)"],
  ['between with a comma', 'rule:RowCount between 1, 5', 1, 19, "expected 'and'"],
  ['not without between/in/matches', 'rule:RowCount not > 5', 1, 14, "between, in or matches after 'not'"],
  ['unquoted regex', 'rule:ColumnValues "c" matches abc', 1, 26, 'a quoted regular expression after matches'],
  ['string where a number is expected', 'Rules = [ RowCount > "ten" ]', 1, 20, 'expected numbers'],
  ['string in a numeric between', 'rule:Mean "x" between "a" and 5', 1, 10, 'expected numbers'],
  ['matches on a numeric rule', 'rule:Completeness "x" matches "a"', 1, 18, 'expected numbers'],
  ['date on a numeric rule', 'rule:ColumnCount > "2023-01-01"', 1, 13, 'expected numbers'],
  ['duration on a numeric rule', 'rule:RowCount > 3 days', 1, 10, 'expected numbers'],
  ['number where a type name is expected', 'rule:ColumnDataType "c" = 5', 1, 20, 'a quoted type name'],
  ['ordering on a type name', 'rule:ColumnDataType "c" > "INTEGER"', 1, 20, '= "TYPE", != "TYPE"'],
  ['string where a duration is expected', 'rule:DataFreshness "d" <= "yesterday"', 1, 19, 'a duration'],
  ['size where a duration is expected', 'rule:DataFreshness "d" <= 2 MB', 1, 19, 'a duration'],
  ['duration where a size is expected', 'rule:FileSize > 2 days', 1, 10, 'a size such as 2 MB'],
  ['duration where a date is expected', 'rule:FileFreshness > 3 days', 1, 15, 'a date, a time or now()'],
  ['capitalised duration unit', 'rule:DataFreshness "d" <= 24 Hours', 1, 19, 'a duration such as 24 hours'],
  ['singular duration unit', 'rule:DataFreshness "d" <= 1 day', 1, 19, 'a duration such as 24 hours'],
  ['lower-case size unit', 'rule:FileSize > 2 mb', 1, 14, 'expected the end of the rule'],
  ['mixed-case keyword', 'rule:ColumnValues "c" in [Null]', 1, 22, 'expected a number, a quoted value, NULL'],
  [
    'mixed-case And',
    'Rules = [ (RowCount > 0) And (IsComplete "a") ]',
    1,
    26,
    "expected ',' or ']', found 'And'",
  ],
  ['Or in a single rule', 'rule:(RowCount > 0) Or (IsComplete "a")', 1, 16, 'expected the end of the rule'],
  ['two rules given to parseRule', 'rule:RowCount > 0 IsComplete "a"', 1, 14, 'expected the end of the rule'],
  ['missing operand', 'rule:RowCount >', 1, 11, 'expected a number, a quoted value'],
  ["missing ')'", 'rule:(IsComplete "a"', 1, 16, "expected ')'"],
  ['empty ruleset', 'Rules = []', 1, 11, 'the ruleset has no rules'],
  ['empty ruleset over lines', 'Rules = [\n]\n', 3, 1, 'the ruleset has no rules'],
  ['empty document', '', 1, 1, 'the ruleset has no rules'],
  ['only comments', '# nothing here\n', 2, 1, 'the ruleset has no rules'],
  ['metadata only', 'Metadata = { "Version": "1.0" }', 1, 32, 'the ruleset has no rules'],
  ['duplicated Rules', 'Rules = [ RowCount > 0 ]\nRules = [ RowCount > 1 ]', 2, 1, 'Rules is defined twice'],
  [
    'duplicated Analyzers',
    'Analyzers = [ RowCount ]\nAnalyzers = [ ColumnCount ]',
    2,
    1,
    'Analyzers is defined twice',
  ],
  ['duplicated constant', 'x = "a"\nx = "b"\nRules = [ RowCount > 0 ]', 2, 1, 'constant x is defined twice'],
  [
    'analyzer-only type in Rules',
    'Rules = [\n  RowCount > 0,\n  AllStatistics "title"\n]',
    3,
    3,
    'AllStatistics is an analyzer: put it in Analyzers',
  ],
  ['Distribution in Rules', 'rule:Distribution "Salary"', 1, 1, 'Distribution is an analyzer'],
  ['condition in Analyzers', 'Analyzers = [ RowCount > 5 ]', 1, 24, "expected ',' or ']', found '>'"],
  ['unexpected character', 'Rules = [ RowCount > 0; ]', 1, 23, "unexpected character ';'"],
  [
    'unexpected character on a later line',
    'Rules = [\n  RowCount > 0 &&\n]',
    2,
    16,
    "unexpected character '&'",
  ],
  ['single-quoted string', "rule:IsComplete 'a'", 1, 12, "unexpected character '''"],
  ['section without =', 'Rules [ RowCount > 0 ]', 1, 7, "expected '='"],
  ['number instead of a section', '5 = [ RowCount > 0 ]', 1, 1, 'expected a section'],
  ['rule type name as a section', 'Rules = [ DefaultLabels ]', 1, 11, 'unknown rule type "DefaultLabels"'],
  [
    'metadata without a colon',
    'Metadata = { "Version" "1.0" }\nRules = [ RowCount > 0 ]',
    1,
    24,
    "expected ':'",
  ],
  [
    'metadata with a bare key',
    'Metadata = { Version: "1.0" }\nRules = [ RowCount > 0 ]',
    1,
    14,
    'a quoted key',
  ],
  [
    'duplicated label',
    'rule:Completeness "a" > 0.5 labels=["a"="b", "a"="c"]',
    1,
    41,
    'label "a" is given twice',
  ],
  ['unquoted label value', 'rule:IsComplete "a" labels=["k"=v]', 1, 28, 'a quoted label value'],
  [
    'eleven default labels',
    `DefaultLabels = [${'abcdefghijk'
      .split('')
      .map((k) => `"${k}"="1"`)
      .join(', ')}]\nRules = [ RowCount > 0 ]`,
    1,
    17,
    'at most 10 labels',
  ],
  [
    'two label lists',
    'rule:IsComplete "a" labels=["a"="b"] labels=["c"="d"]',
    1,
    33,
    'one labels=[...] per rule',
  ],
  ['option without a value', 'rule:FileSize > 2 MB with failFast =', 1, 32, 'a value for failFast'],
];

describe('DQDL parser: invalid rulesets', () => {
  it.each(INVALID)('%s', (_name, source, line, column, fragment) => {
    const run = (): unknown =>
      source.startsWith('rule:') ? parseRule(source.slice('rule:'.length)) : parseRuleset(source);
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DqdlSyntaxError);
    const e = error as DqdlSyntaxError;
    expect(e.reason).toContain(fragment);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toBe(`line ${line}, column ${column}: ${e.reason}`);
    expect(e.name).toBe('DqdlSyntaxError');
  });
});

describe('DQDL format round trip', () => {
  const sources: [string, string][] = [
    ...VALID_RULES.map(([text]): [string, string] => [text, asRuleset(text)]),
    ...VALID_RULESETS.map(([name, text]): [string, string] => [name, text]),
  ];

  it.each(sources)('%s', (_name, source) => {
    const parsed = parseRuleset(source);
    const once = formatRuleset(parsed);
    const reparsed = parseRuleset(once);
    const twice = formatRuleset(reparsed);
    // Formatting is idempotent: the formatted text is a fixed point.
    expect(twice).toBe(once);
    expect(parseRuleset(twice)).toEqual(reparsed);
    // And it keeps the meaning: the same tree, apart from source positions.
    expect(withoutPositions(reparsed)).toEqual(withoutPositions(parsed));
  });
});

describe('edges found in review', () => {
  const syntaxError = (source: string): DqdlSyntaxError => {
    try {
      parseRuleset(source);
    } catch (err) {
      if (err instanceof DqdlSyntaxError) return err;
      throw err;
    }
    throw new Error(`expected a syntax error for ${source}`);
  };

  it('formats a value ending in a backslash so that it parses back to the same value', () => {
    const ruleset = parseRuleset('Rules = [ ColumnValues "path" = "C:\\\\" ]');
    const again = parseRuleset(formatRuleset(ruleset));
    expect(again.rules[0]).toMatchObject({ condition: { operand: { kind: 'string', value: 'C:\\' } } });
  });

  it('accepts Java regular expressions (checked when evaluated)', () => {
    expect(parseRule('ColumnValues "title" matches "(?i)heat"')).toMatchObject({
      condition: { kind: 'matches', pattern: '(?i)heat' },
    });
  });

  it('accepts rule-type names as bare parameters', () => {
    expect(parseRule('DetectAnomalies of RowCount')).toMatchObject({
      type: 'DetectAnomalies',
      params: ['RowCount'],
    });
    expect(parseRule('DetectAnomalies of ColumnCorrelation of "colA" and "colB"')).toMatchObject({
      params: ['ColumnCorrelation', 'colA', 'colB'],
    });
  });

  it('resolves $constants used as parameters, and refuses undefined ones', () => {
    const ruleset = parseRuleset(
      'sql = "select count(*) from primary"\nRules = [ CustomSql $sql between 0 and 100 ]',
    );
    expect(ruleset.rules[0]).toMatchObject({ params: ['select count(*) from primary'] });
    expect(syntaxError('Rules = [ IsComplete $nope ]')).toMatchObject({
      line: 1,
      column: 22,
      reason: 'constant $nope is not defined',
    });
    expect(syntaxError('a = "x"\nb = $a\nRules = [ RowCount > 0 ]').reason).toMatch(
      /nested constants are not supported/,
    );
  });

  it.each([
    ['Metadata = { "Foo": "x" }\nRules = [ RowCount > 0 ]', 'Metadata does not take the key "Foo"'],
    [
      'DataSources = { "AdditionalDataSources": { "a": "b" } }\nRules = [ RowCount > 0 ]',
      'must be a list of quoted strings',
    ],
    [
      'Metadata = { "Version": "1.0" }\nMetadata = { "Version": "1.0" }\nRules = [ RowCount > 0 ]',
      'Metadata is defined twice',
    ],
    ['Rules = [ DataFreshness "d" <= 24 ]', 'a duration such as 24 hours'],
    ['Rules = [ ColumnValues "c" > 2 MB ]', 'numbers, quoted text or dates'],
    ['Rules = [ ColumnValues "c" > (now() - 3) ]', 'now() plus or minus a duration'],
    ['Rules = [ RowCount > ("ten") ]', 'expected numbers'],
    [
      'Rules = [ CustomSql "select id from primary" > 5 with threshold > 0.5 ]',
      'a condition or a threshold, not both',
    ],
    ['Rules = [ RowCount > 0 labels=["team"=""] ]', 'label "team" has an empty value'],
    [
      `DefaultLabels = [${Array.from({ length: 6 }, (_, i) => `"d${i}"="v"`).join(', ')}]\nRules = [ RowCount > 0 labels=[${Array.from({ length: 6 }, (_, i) => `"r${i}"="v"`).join(', ')}] ]`,
      'at most 10 labels, DefaultLabels included',
    ],
  ])('rejects %j', (source, message) => {
    expect(syntaxError(source).reason).toContain(message);
  });
});
