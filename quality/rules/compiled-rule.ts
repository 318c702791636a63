/**
 * What the evaluator and the rules share: a compiled rule updates its metric states with each
 * row, says how the row fared, and at the end gives its verdict on the metrics.
 */
import type { Cell, OperandContext } from '../conditions.ts';
import type { RowStatus, RuleStatus } from '../results.ts';
import type { FrequencyAnalyzer } from './frequency.ts';

export type ValueType = 'string' | 'integer' | 'decimal' | 'timestamp';
export type Row = readonly Cell[];

/** The text a row's column had in the file, where the caller has it (a NULL may have been text). */
export type RawText = (column: number) => string | undefined;

/** A rule's result at the end of the run (Glue's Result, EvaluationMessage and metrics). */
export interface RuleVerdict {
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
  row(values: Row, line: number, raw?: RawText): RowStatus;
  verdict(): RuleVerdict;
}

export interface RuleContext extends OperandContext {
  /** Index of a column in the row, or -1. */
  columnIndex(name: string): number;
  columnType(index: number): ValueType;
  /** Column names of the dataset as it came in (ColumnCount, ColumnExists, name patterns). */
  readonly presentColumns: readonly string[];
  /** A frequency table over these columns, shared by every rule that asks for the same one. */
  frequencies(columns: readonly number[], where: string | undefined): FrequencyAnalyzer;
  readonly samples: number;
}
