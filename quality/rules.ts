/**
 * One compiled rule per DQDL rule: it updates its metric states with each row, says how the
 * row fared, and at the end asserts its condition on the metrics. Rules that need something
 * this engine does not have (a reference dataset, S3 files, earlier runs) compile to an
 * ERROR with the reason: never a silent pass.
 */
import type { Condition, Rule } from './ast.ts';
import {
  cellTest,
  numberTest,
  toInstant,
  Unsupported,
  javaRegExp,
  type Cell,
  type OperandContext,
} from './conditions.ts';
import { formatCondition, formatRule } from './format.ts';
import { FAILED, PASSED, SKIPPED, type RowStatus, type RuleStatus } from './results.ts';
import { CorrelationState, CountState, FrequencyState, KeyHasher, MomentsState } from './states.ts';
import { compileWhere, WhereError, type SqlValue } from './where.ts';

export type ValueType = 'string' | 'integer' | 'decimal' | 'timestamp';
export type Row = readonly Cell[];

export interface Outcome {
  readonly result: RuleStatus;
  readonly message?: string;
  readonly metrics: Record<string, number>;
  readonly ruleMetrics?: Record<string, number>;
}

export interface CompiledRule {
  readonly description: string;
  /** Judges rows one by one (its failures route rows to quarantine). */
  readonly rowLevel: boolean;
  /** States a batch tolerance (a ratio, a threshold, or a dataset-level metric). */
  readonly tolerance: boolean;
  row(values: Row, line: number): RowStatus;
  outcome(): Outcome;
}

export interface RuleContext extends OperandContext {
  /** Index of a column in the row, or -1. */
  columnIndex(name: string): number;
  columnName(index: number): string;
  columnType(index: number): ValueType;
  /** Column names of the dataset as it came in (ColumnCount, ColumnExists, name patterns). */
  readonly presentColumns: readonly string[];
  /** A frequency table over these columns, shared by every rule that asks for the same one. */
  frequencies(columns: readonly number[], where: string | undefined): FrequencyAnalyzer;
  readonly samples: number;
}

/** Keeps one frequency table up to date; rules read how often the current key was seen before. */
export class FrequencyAnalyzer {
  readonly state = new FrequencyState();
  private readonly hasher = new KeyHasher();
  /** -1: the current row's key is NULL (or filtered out); else how often it was seen before. */
  prior = -1;
  rowsSeen = 0;
  private summary: { unique: number; entropy: number } | null = null;

  constructor(
    private readonly columns: readonly number[],
    private readonly where: ((row: Row) => boolean) | null,
  ) {}

  update(values: Row): void {
    this.prior = -1;
    if (this.where && !this.where(values)) return;
    this.rowsSeen++;
    const h = this.hasher;
    h.reset();
    let allNull = true;
    for (const c of this.columns) {
      const v = values[c] ?? null;
      if (v === null) h.addNull();
      else {
        allNull = false;
        if (typeof v === 'number') h.addNumber(v);
        else h.addString(v);
      }
    }
    if (!allNull) this.prior = this.state.add(h.h1, h.h2);
  }

  /** Values seen exactly once, and the entropy (natural log) of the value distribution. */
  stats(): { unique: number; entropy: number } {
    if (!this.summary) {
      let unique = 0;
      let entropy = 0;
      const n = this.state.rows;
      this.state.forEachCount((c) => {
        if (c === 1) unique++;
        const p = c / n;
        entropy -= p * Math.log(p);
      });
      this.summary = { unique, entropy };
    }
    return this.summary;
  }
}

const DATASET_ONLY_REASONS: Record<string, string> = {
  AggregateMatch: 'it compares with a reference dataset, which is not available here',
  CustomSql: 'it runs Spark SQL over the dataset, which this engine does not',
  DatasetMatch: 'it compares with a reference dataset, which is not available here',
  DetectAnomalies: 'it needs the metrics of earlier runs, which are not kept here',
  FileFreshness: 'it inspects files in S3, not the rows of this dataset',
  FileMatch: 'it inspects files in S3, not the rows of this dataset',
  FileSize: 'it inspects files in S3, not the rows of this dataset',
  FileUniqueness: 'it inspects files in S3, not the rows of this dataset',
  ReferentialIntegrity: 'it compares with a reference dataset, which is not available here',
  RowCountMatch: 'it compares with a reference dataset, which is not available here',
  SchemaMatch: 'it compares with a reference dataset, which is not available here',
};

export function compileRule(rule: Rule, ctx: RuleContext): CompiledRule {
  const description = formatRule(rule);
  const unsupported = DATASET_ONLY_REASONS[rule.type];
  if (unsupported) return errorRule(description, `${rule.type} cannot be evaluated here: ${unsupported}.`);
  try {
    return compileSupported(rule, ctx, description);
  } catch (err) {
    if (err instanceof Unsupported || err instanceof WhereError)
      return errorRule(
        description,
        `${err instanceof WhereError ? 'invalid where clause: ' : ''}${err.message}`,
      );
    throw err;
  }
}

function errorRule(description: string, message: string): CompiledRule {
  return {
    description,
    rowLevel: false,
    tolerance: true,
    row: () => SKIPPED,
    outcome: () => ({ result: 'ERROR', message, metrics: {} }),
  };
}

/** A rule naming a column the data does not have fails, as in Glue. */
function missingColumnRule(description: string, column: string, rowLevel: boolean): CompiledRule {
  return {
    description,
    rowLevel,
    tolerance: !rowLevel,
    row: () => (rowLevel ? FAILED : SKIPPED),
    outcome: () => ({
      result: 'FAIL',
      message: `Input data does not include column ${column}!`,
      metrics: {},
    }),
  };
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

function judge(
  test: (x: number) => boolean,
  value: number,
  condition: Condition,
): { result: RuleStatus; message?: string } {
  if (Number.isNaN(value))
    return { result: 'FAIL', message: 'The metric could not be computed (no values).' };
  return test(value)
    ? { result: 'PASS' }
    : {
        result: 'FAIL',
        message: `Value: ${fmt(value)} does not meet the constraint requirement (${formatCondition(condition)}).`,
      };
}

function compileSupported(rule: Rule, ctx: RuleContext, description: string): CompiledRule {
  const cols = rule.params.map((p) => ctx.columnIndex(p));
  const where = rule.where === undefined ? null : compileFilter(rule.where, ctx);
  const key = (suffix: string): string =>
    rule.params.length > 1
      ? `Multicolumn.${rule.params.join(',')}.${suffix}`
      : `Column.${rule.params[0]}.${suffix}`;
  const needCondition = (): Condition => {
    if (!rule.condition) throw new Unsupported(`${rule.type} needs a condition`);
    return rule.condition;
  };
  const missing = cols.findIndex((c) => c < 0);
  const rowLevelTypes = new Set([
    'ColumnValues',
    'IsComplete',
    'Completeness',
    'ColumnLength',
    'ColumnDataType',
    'DataFreshness',
    'IsUnique',
    'IsPrimaryKey',
    'Uniqueness',
  ]);
  if (missing >= 0 && !['ColumnExists', 'ColumnNamesMatchPattern'].includes(rule.type))
    return missingColumnRule(description, rule.params[missing]!, rowLevelTypes.has(rule.type));
  const col = cols[0]!;

  switch (rule.type) {
    case 'RowCount': {
      const test = numberTest(needCondition(), ctx);
      let rows = 0;
      return datasetRule(
        description,
        (values) => {
          if (!where || where(values)) rows++;
        },
        () => ({ ...judge(test, rows, rule.condition!), metrics: { 'Dataset.*.RowCount': rows } }),
      );
    }
    case 'ColumnCount': {
      const test = numberTest(needCondition(), ctx);
      const n = ctx.presentColumns.length;
      return datasetRule(description, null, () => ({
        ...judge(test, n, rule.condition!),
        metrics: { 'Dataset.*.ColumnCount': n },
      }));
    }
    case 'ColumnExists': {
      const name = rule.params[0]!;
      const exists =
        ctx.presentColumns.includes(name) ||
        ctx.presentColumns.some(
          (c) => ctx.columnIndex(c) === ctx.columnIndex(name) && ctx.columnIndex(name) >= 0,
        );
      return datasetRule(description, null, () => ({
        result: exists ? 'PASS' : 'FAIL',
        ...(exists ? {} : { message: `Input data does not include column ${name}!` }),
        metrics: { [`Dataset.${name}.ColumnExists`]: exists ? 1 : 0 },
      }));
    }
    case 'ColumnNamesMatchPattern': {
      const re = javaRegExp(rule.params[0]!);
      const bad = ctx.presentColumns.filter((c) => !re.test(c));
      const ratio = ctx.presentColumns.length ? 1 - bad.length / ctx.presentColumns.length : 1;
      return datasetRule(description, null, () => ({
        result: bad.length ? 'FAIL' : 'PASS',
        ...(bad.length ? { message: `Columns that do not match the pattern: ${bad.join(', ')}` } : {}),
        metrics: { 'Dataset.*.ColumnNamesPatternMatchRatio': ratio },
      }));
    }
    case 'IsComplete':
    case 'Completeness': {
      const test = rule.type === 'Completeness' ? numberTest(needCondition(), ctx) : (x: number) => x === 1;
      return complianceRule({
        description,
        tolerance: rule.type === 'Completeness',
        where,
        ok: (values) => values[col] !== null,
        sample: () => 'NULL',
        samples: ctx.samples,
        finish: (state) => ({
          ...(rule.type === 'Completeness'
            ? judge(test, state.ratio, rule.condition!)
            : allRows(state, 'are NULL')),
          metrics: { [key('Completeness')]: state.ratio },
        }),
      });
    }
    case 'ColumnValues': {
      const condition = needCondition();
      const ignoreCase = String(rule.options.ignoreCase ?? '').toLowerCase() === 'true';
      const cell = cellTest(condition, ctx, ignoreCase);
      const threshold = rule.threshold ? numberTest(rule.threshold, ctx) : null;
      const numeric = ctx.columnType(col) === 'integer' || ctx.columnType(col) === 'decimal';
      const moments = numeric && condition.kind !== 'in' ? new MomentsState() : null;
      return complianceRule({
        description,
        tolerance: threshold !== null,
        where,
        ok: (values) => {
          const v = values[col]!;
          if (moments && typeof v === 'number') moments.add(v);
          return cell(v);
        },
        sample: (values) => show(values[col]!),
        samples: ctx.samples,
        finish: (state) => ({
          ...(threshold
            ? judge(threshold, state.ratio, rule.threshold!)
            : allRows(state, 'do not satisfy the rule')),
          metrics: {
            [key('ColumnValues.Compliance')]: state.ratio,
            ...(moments && moments.n ? { [key('Minimum')]: moments.min, [key('Maximum')]: moments.max } : {}),
          },
        }),
      });
    }
    case 'ColumnLength': {
      const condition = needCondition();
      const test = numberTest(condition, ctx);
      const lengths = new MomentsState();
      return complianceRule({
        description,
        tolerance: false,
        where,
        ok: (values) => {
          const v = values[col];
          const len = v === null || v === undefined ? 0 : String(v).length;
          lengths.add(len);
          return test(len);
        },
        sample: (values) => `length ${values[col] === null ? 0 : String(values[col]).length}`,
        samples: ctx.samples,
        finish: (state) => ({
          ...allRows(state, 'have a length that does not satisfy the rule'),
          metrics: {
            [key('LengthCompliance')]: state.ratio,
            ...(lengths.n
              ? { [key('MinimumLength')]: lengths.min, [key('MaximumLength')]: lengths.max }
              : {}),
          },
        }),
      });
    }
    case 'ColumnDataType': {
      const condition = needCondition();
      const types = (
        condition.kind === 'in' ? condition.items : condition.kind === 'compare' ? [condition.operand] : []
      ).map((e) => (e.kind === 'string' ? e.value : e.kind === 'date' || e.kind === 'time' ? e.text : ''));
      const casts = types.map(castTest);
      const negated =
        (condition.kind === 'compare' && condition.op === '!=') ||
        (condition.kind === 'in' && condition.negated);
      const threshold = rule.threshold ? numberTest(rule.threshold, ctx) : null;
      return complianceRule({
        description,
        tolerance: threshold !== null,
        where,
        ok: (values) => {
          const v = values[col]!;
          const fits = v !== null && casts.some((c) => c(v));
          return negated ? v !== null && !fits : fits;
        },
        sample: (values) => show(values[col]!),
        samples: ctx.samples,
        finish: (state) => ({
          ...(threshold
            ? judge(threshold, state.ratio, rule.threshold!)
            : allRows(state, `are not of type ${types.join(' or ')}`)),
          metrics: { [key('ColumnDataType.Compliance')]: state.ratio },
        }),
      });
    }
    case 'DataFreshness': {
      const test = numberTest(needCondition(), ctx);
      const now = ctx.now.getTime();
      return complianceRule({
        description,
        tolerance: false,
        where,
        ok: (values) => {
          const t = toInstant(values[col]!);
          return t !== null && test(now - t);
        },
        sample: (values) => show(values[col]!),
        samples: ctx.samples,
        finish: (state) => ({
          ...allRows(state, 'are not fresh enough'),
          metrics: { [key('DataFreshness.Compliance')]: state.ratio },
        }),
      });
    }
    case 'Uniqueness':
    case 'IsUnique':
    case 'IsPrimaryKey': {
      const freq = ctx.frequencies(cols, rule.where);
      const test = rule.type === 'Uniqueness' ? numberTest(needCondition(), ctx) : (x: number) => x === 1;
      const primary = rule.type === 'IsPrimaryKey';
      const nulls = cols.map(() => 0);
      let rows = 0;
      const counts = { passed: 0, failed: 0 };
      const samples: string[] = [];
      return {
        description,
        rowLevel: true,
        tolerance: rule.type === 'Uniqueness',
        row(values, line) {
          if (where && !where(values)) return PASSED;
          rows++;
          let ok = freq.prior <= 0;
          if (primary)
            cols.forEach((c, i) => {
              if (values[c] === null) {
                nulls[i]!++;
                ok = false;
              }
            });
          if (ok) counts.passed++;
          else {
            counts.failed++;
            if (samples.length < ctx.samples)
              samples.push(
                `line ${line}: ${freq.prior > 0 ? `duplicate ${cols.map((c) => show(values[c]!)).join(', ')}` : 'NULL'}`,
              );
          }
          return ok ? PASSED : FAILED;
        },
        outcome() {
          const { unique } = freq.stats();
          const uniqueness = freq.state.rows === 0 ? 1 : unique / freq.state.rows;
          const metrics: Record<string, number> = { [key('Uniqueness')]: uniqueness };
          if (primary)
            cols.forEach(
              (_, i) => (metrics[`Column.${rule.params[i]}.Completeness`] = rows ? 1 - nulls[i]! / rows : 1),
            );
          const complete = nulls.every((n) => n === 0);
          const verdict = judge(
            test,
            uniqueness,
            rule.condition ?? {
              kind: 'compare',
              op: '=',
              operand: { kind: 'number', value: 1, text: '1.0' },
            },
          );
          const failed = verdict.result === 'FAIL' || !complete;
          const why = [
            verdict.result === 'FAIL' ? verdict.message : null,
            complete ? null : 'Some key values are NULL.',
            samples.length ? `e.g. ${samples.join('; ')}` : null,
          ]
            .filter(Boolean)
            .join(' ');
          return {
            result: failed ? 'FAIL' : 'PASS',
            ...(failed ? { message: why } : {}),
            metrics,
            ruleMetrics: rowMetrics(counts.passed, counts.failed),
          };
        },
      };
    }
    case 'UniqueValueRatio':
    case 'DistinctValuesCount':
    case 'Entropy': {
      const freq = ctx.frequencies(cols, rule.where);
      const test = numberTest(needCondition(), ctx);
      return datasetRule(description, null, () => {
        const { unique, entropy } = freq.stats();
        const distinct = freq.state.distinct;
        const value =
          rule.type === 'Entropy'
            ? entropy
            : rule.type === 'DistinctValuesCount'
              ? distinct
              : distinct
                ? unique / distinct
                : 0;
        return { ...judge(test, value, rule.condition!), metrics: { [key(rule.type)]: value } };
      });
    }
    case 'Mean':
    case 'Sum':
    case 'StandardDeviation':
    case 'Variance': {
      const test = numberTest(needCondition(), ctx);
      const state = new MomentsState();
      return datasetRule(
        description,
        (values) => {
          if (where && !where(values)) return;
          const x = asNumber(values[col]!);
          if (x !== null) state.add(x);
        },
        () => {
          const value = {
            Mean: state.n ? state.mean : NaN,
            Sum: state.n ? state.sum : NaN,
            StandardDeviation: Math.sqrt(state.variance),
            Variance: state.variance,
          }[rule.type as 'Mean']!;
          return {
            ...judge(test, value, rule.condition!),
            metrics: Number.isNaN(value) ? {} : { [key(rule.type)]: value },
          };
        },
      );
    }
    case 'ColumnCorrelation': {
      const test = numberTest(needCondition(), ctx);
      const state = new CorrelationState();
      const other = cols[1]!;
      return datasetRule(
        description,
        (values) => {
          if (where && !where(values)) return;
          const x = asNumber(values[col]!);
          const y = asNumber(values[other]!);
          if (x !== null && y !== null) state.add(x, y);
        },
        () => {
          const value = state.correlation;
          return {
            ...judge(test, value, rule.condition!),
            metrics: Number.isNaN(value) ? {} : { [key('ColumnCorrelation')]: value },
          };
        },
      );
    }
    default:
      throw new Unsupported(`${rule.type} is not a rule this engine evaluates`);
  }
}

function compileFilter(sql: string, ctx: RuleContext): (row: Row) => boolean {
  const filter = compileWhere(sql, (name) => ctx.columnIndex(name));
  return (row) => filter(row as readonly SqlValue[]);
}

function datasetRule(
  description: string,
  update: ((values: Row) => void) | null,
  finish: () => Outcome,
): CompiledRule {
  return {
    description,
    rowLevel: false,
    tolerance: true,
    row(values) {
      update?.(values);
      return SKIPPED;
    },
    outcome: finish,
  };
}

interface ComplianceSpec {
  description: string;
  tolerance: boolean;
  where: ((row: Row) => boolean) | null;
  ok: (values: Row) => boolean;
  sample: (values: Row) => string;
  samples: number;
  finish: (state: CountState & { failedSamples: string[] }) => Outcome;
}

/** A rule that judges each row and asserts on the share of rows that passed. */
function complianceRule(spec: ComplianceSpec): CompiledRule {
  const state = Object.assign(new CountState(), { failedSamples: [] as string[] });
  return {
    description: spec.description,
    rowLevel: true,
    tolerance: spec.tolerance,
    row(values, line) {
      if (spec.where && !spec.where(values)) return PASSED; // filtered rows are labelled Passed, as in Glue
      state.rows++;
      if (spec.ok(values)) {
        state.matched++;
        return PASSED;
      }
      if (state.failedSamples.length < spec.samples)
        state.failedSamples.push(`line ${line}: ${spec.sample(values)}`);
      return FAILED;
    },
    outcome() {
      const out = spec.finish(state);
      return { ...out, ruleMetrics: rowMetrics(state.matched, state.rows - state.matched) };
    },
  };
}

function allRows(
  state: CountState & { failedSamples: string[] },
  what: string,
): { result: RuleStatus; message?: string } {
  const failed = state.rows - state.matched;
  if (failed === 0) return { result: 'PASS' };
  const pct = ((state.matched / state.rows) * 100).toFixed(2);
  return {
    result: 'FAIL',
    message: `${failed} of ${state.rows} rows ${what} (${pct} % of rows passed), e.g. ${state.failedSamples.join('; ')}.`,
  };
}

function rowMetrics(passed: number, failed: number): Record<string, number> {
  return { 'Rows Passed': passed, 'Rows Failed': failed, 'Total Rows Processed': passed + failed };
}

function asNumber(v: Cell): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const n = Number(v.trim());
  return v.trim() === '' || Number.isNaN(n) ? null : n;
}

function show(v: Cell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  const s = v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return JSON.stringify(s);
}

const INT = /^[+-]?\d+$/;
/** Whether a value can be cast to a Spark type (ColumnDataType). */
function castTest(type: string): (v: Cell) => boolean {
  const t = type.trim().toUpperCase();
  const text = (v: Cell): string => (typeof v === 'number' ? String(v) : String(v).trim());
  const withinBits = (bits: number) => (v: Cell) => {
    if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** (bits - 1);
    const s = text(v);
    if (!INT.test(s)) return false;
    const n = BigInt(s);
    return n >= -(2n ** BigInt(bits - 1)) && n < 2n ** BigInt(bits - 1);
  };
  const isNumber = (v: Cell): boolean =>
    typeof v === 'number' || (text(v) !== '' && !Number.isNaN(Number(text(v))));
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) {
    const [p, s] = [Number(decimal[1]), Number(decimal[2])];
    return (v) => {
      if (!isNumber(v)) return false;
      const [whole = '', frac = ''] = text(v).replace(/^[+-]/, '').split('.');
      return whole.replace(/^0+/, '').length <= p - s && frac.length <= s;
    };
  }
  switch (t) {
    case 'INTEGER':
    case 'INT':
      return withinBits(32);
    case 'LONG':
    case 'BIGINT':
      return withinBits(64);
    case 'SHORT':
    case 'SMALLINT':
      return withinBits(16);
    case 'DOUBLE':
    case 'FLOAT':
    case 'DECIMAL':
      return isNumber;
    case 'BOOLEAN':
      // Spark's cast accepts these spellings.
      return (v) =>
        ['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'].includes(text(v).toLowerCase());
    case 'DATE':
      return (v) => /^\d{4}-\d{2}-\d{2}$/.test(text(v)) && toInstant(text(v)) !== null;
    case 'TIMESTAMP':
      return (v) => toInstant(v) !== null;
    case 'STRING':
      return () => true;
    default:
      throw new Unsupported(
        `"${type}" is not a type ColumnDataType knows (Integer, Long, Double, Float, Decimal(p,s), Boolean, Date, Timestamp, String)`,
      );
  }
}
