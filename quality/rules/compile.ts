/**
 * One compiled rule per DQDL rule, by rule type. Rules that need something this engine does
 * not have (a reference dataset, S3 files, earlier runs) compile to an ERROR with the reason:
 * never a silent pass.
 */
import type { Rule } from '../ast.ts';
import { Unsupported } from '../conditions.ts';
import { formatRule } from '../format.ts';
import type { RuleType } from '../rule-types.ts';
import { WhereError } from '../where.ts';
import { compileColumnDataType } from './column-data-type.ts';
import { compileColumnLength } from './column-length.ts';
import { compileColumnValues } from './column-values.ts';
import type { CompiledRule, RuleContext } from './compiled-rule.ts';
import { compileCompleteness, compileIsComplete } from './completeness.ts';
import { compileColumnCorrelation } from './correlation.ts';
import { compileDataFreshness } from './data-freshness.ts';
import {
  compileColumnCount,
  compileColumnExists,
  compileColumnNamesMatchPattern,
  compileRowCount,
} from './dataset-shape.ts';
import { compileDistinctValuesCount, compileEntropy, compileUniqueValueRatio } from './distinct-values.ts';
import { errorRule } from './error-rules.ts';
import { ruleCompiler, type RuleCompiler } from './rule-input.ts';
import { compileMean, compileStandardDeviation, compileSum, compileVariance } from './statistics.ts';
import { compileIsPrimaryKey, compileIsUnique, compileUniqueness } from './uniqueness.ts';

const REFERENCE_DATASET = 'it compares with a reference dataset, which is not available here';
const S3_FILES = 'it inspects files in S3, not the rows of this dataset';

/** A rule type that needs what is not here: an ERROR saying why, before anything compiles. */
const unavailable =
  (reason: string): RuleCompiler =>
  (rule, _ctx, description) =>
    errorRule(description, `${rule.type} cannot be evaluated here: ${reason}.`);

/** Analyzer-only types this engine does not compute (AllStatistics is expanded before it gets here). */
const notEvaluated = ruleCompiler({ rowLevel: false }, ({ rule }) => {
  throw new Unsupported(`${rule.type} is not a rule this engine evaluates`);
});

/** Every DQDL rule type: one without an entry does not type-check. */
const COMPILERS: Record<RuleType, RuleCompiler> = {
  AggregateMatch: unavailable(REFERENCE_DATASET),
  AllStatistics: notEvaluated,
  ColumnCorrelation: compileColumnCorrelation,
  ColumnCount: compileColumnCount,
  ColumnDataType: compileColumnDataType,
  ColumnExists: compileColumnExists,
  ColumnLength: compileColumnLength,
  ColumnNamesMatchPattern: compileColumnNamesMatchPattern,
  ColumnValues: compileColumnValues,
  Completeness: compileCompleteness,
  CustomSql: unavailable('it runs Spark SQL over the dataset, which this engine does not'),
  DataFreshness: compileDataFreshness,
  DatasetMatch: unavailable(REFERENCE_DATASET),
  DetectAnomalies: unavailable('it needs the metrics of earlier runs, which are not kept here'),
  DistinctValuesCount: compileDistinctValuesCount,
  Distribution: notEvaluated,
  Entropy: compileEntropy,
  FileFreshness: unavailable(S3_FILES),
  FileMatch: unavailable(S3_FILES),
  FileSize: unavailable(S3_FILES),
  FileUniqueness: unavailable(S3_FILES),
  IsComplete: compileIsComplete,
  IsPrimaryKey: compileIsPrimaryKey,
  IsUnique: compileIsUnique,
  Mean: compileMean,
  ReferentialIntegrity: unavailable(REFERENCE_DATASET),
  RowCount: compileRowCount,
  RowCountMatch: unavailable(REFERENCE_DATASET),
  SchemaMatch: unavailable(REFERENCE_DATASET),
  StandardDeviation: compileStandardDeviation,
  Sum: compileSum,
  UniqueValueRatio: compileUniqueValueRatio,
  Uniqueness: compileUniqueness,
  Variance: compileVariance,
};

export function compileRule(rule: Rule, ctx: RuleContext): CompiledRule {
  const description = formatRule(rule);
  const compile = Object.hasOwn(COMPILERS, rule.type) ? COMPILERS[rule.type as RuleType] : notEvaluated;
  try {
    return compile(rule, ctx, description);
  } catch (err) {
    if (err instanceof Unsupported || err instanceof WhereError)
      return errorRule(
        description,
        `${err instanceof WhereError ? 'invalid where clause: ' : ''}${err.message}`,
      );
    throw err;
  }
}
