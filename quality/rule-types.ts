/**
 * Every rule type of AWS Glue's DQDL reference, with what it takes. The parser checks rules
 * against this table; the evaluator decides separately which ones it can compute here.
 */

/** The kind of condition a rule compares its metric with. */
export type ConditionKind =
  | 'number'
  | 'string' // ColumnDataType: a type name
  | 'value' // ColumnValues: number, string, or date operands
  | 'date' // FileFreshness
  | 'duration' // DataFreshness
  | 'size' // FileSize
  | 'none' // boolean rules (IsComplete, ColumnExists, ...)
  | 'optional-number'; // CustomSql: aggregate form has one, row-level form has none

export interface RuleTypeSpec {
  readonly minParams: number;
  readonly maxParams: number;
  readonly condition: ConditionKind;
  readonly threshold: boolean;
  readonly where: boolean;
  /** Only valid inside `Analyzers = [...]`. */
  readonly analyzerOnly?: boolean;
}

const spec = (
  minParams: number,
  maxParams: number,
  condition: ConditionKind,
  flags: { threshold?: boolean; where?: boolean; analyzerOnly?: boolean } = {},
): RuleTypeSpec => ({
  minParams,
  maxParams,
  condition,
  threshold: flags.threshold ?? false,
  where: flags.where ?? false,
  ...(flags.analyzerOnly ? { analyzerOnly: true } : {}),
});

const MANY = Number.POSITIVE_INFINITY;

const SPECS = {
  AggregateMatch: spec(2, 2, 'number'),
  AllStatistics: spec(1, 1, 'none', { analyzerOnly: true }),
  ColumnCorrelation: spec(2, 2, 'number', { where: true }),
  ColumnCount: spec(0, 0, 'number'),
  ColumnDataType: spec(1, 1, 'string', { threshold: true, where: true }),
  ColumnExists: spec(1, 1, 'none'),
  ColumnLength: spec(1, 1, 'number', { where: true }),
  ColumnNamesMatchPattern: spec(1, 1, 'none'),
  ColumnValues: spec(1, 1, 'value', { threshold: true, where: true }),
  Completeness: spec(1, 1, 'number', { where: true }),
  CustomSql: spec(1, 1, 'optional-number', { threshold: true }),
  DataFreshness: spec(1, 1, 'duration', { where: true }),
  DatasetMatch: spec(2, 3, 'number'),
  DetectAnomalies: spec(1, MANY, 'none'),
  DistinctValuesCount: spec(1, 1, 'number', { where: true }),
  Distribution: spec(1, 1, 'none', { analyzerOnly: true }),
  Entropy: spec(1, 1, 'number', { where: true }),
  FileFreshness: spec(0, 1, 'date', { threshold: true }),
  FileMatch: spec(0, 2, 'none'),
  FileSize: spec(0, 1, 'size', { threshold: true }),
  FileUniqueness: spec(0, 1, 'number'),
  IsComplete: spec(1, 1, 'none', { where: true }),
  IsPrimaryKey: spec(1, MANY, 'none', { where: true }),
  IsUnique: spec(1, MANY, 'none', { where: true }),
  Mean: spec(1, 1, 'number', { where: true }),
  ReferentialIntegrity: spec(2, 2, 'number'),
  RowCount: spec(0, 0, 'number', { where: true }),
  RowCountMatch: spec(1, 1, 'number'),
  SchemaMatch: spec(1, 1, 'number'),
  StandardDeviation: spec(1, 1, 'number', { where: true }),
  Sum: spec(1, 1, 'number', { where: true }),
  UniqueValueRatio: spec(1, 1, 'number', { where: true }),
  Uniqueness: spec(1, MANY, 'number', { where: true }),
  Variance: spec(1, 1, 'number', { where: true }),
} satisfies Record<string, RuleTypeSpec>;

/** The name of a DQDL rule type (the evaluator's compile table is keyed by it). */
export type RuleType = keyof typeof SPECS;

export const RULE_TYPES: Readonly<Record<string, RuleTypeSpec>> = SPECS;

/** FileMatch compares two paths (no condition) or checks one path's checksums (`in [...]`). */
export function fileMatchTakesCondition(params: number): boolean {
  return params < 2;
}
