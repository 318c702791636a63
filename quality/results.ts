/** Results in the shape of AWS Glue's GetDataQualityResult, and the status each row gets per rule. */

export type RuleStatus = 'PASS' | 'FAIL' | 'ERROR';

export interface RuleResult {
  /** Rule_1, Rule_2, ... in ruleset order. */
  readonly Name: string;
  /** The rule in canonical DQDL. */
  readonly Description: string;
  readonly Result: RuleStatus;
  /** Why the rule failed or could not be evaluated; absent when it passed. */
  readonly EvaluationMessage?: string;
  readonly EvaluatedMetrics: Readonly<Record<string, number>>;
  readonly EvaluatedRule: string;
  /** Row-level counts, for rules that judge rows. */
  readonly RuleMetrics?: Readonly<Record<string, number>>;
  readonly Labels?: Readonly<Record<string, string>>;
}

export interface AnalyzerResult {
  readonly Name: string;
  readonly Description: string;
  readonly EvaluationMessage?: string;
  readonly EvaluatedMetrics: Readonly<Record<string, number>>;
}

export interface AggregatedMetrics {
  readonly TotalRowsProcessed: number;
  /**
   * Rows Passed/Failed follow the quality policy (contract/policy.ts), not "failed any
   * rule": a row fails when it breaks the data contract or fails a row check, never for a batch
   * gate. They are the rows that load and the rows that are quarantined, unless a gate fails
   * and the whole file is quarantined.
   */
  readonly TotalRowsPassed: number;
  readonly TotalRowsFailed: number;
  readonly TotalRulesProcessed: number;
  readonly TotalRulesPassed: number;
  readonly TotalRulesFailed: number;
}

export interface DataQualityResult {
  /** Rules passed ÷ rules evaluated (0..1). */
  readonly Score: number;
  readonly RuleResults: readonly RuleResult[];
  readonly AnalyzerResults: readonly AnalyzerResult[];
  readonly AggregatedMetrics: AggregatedMetrics;
}

/** A row's outcome per top-level rule: 1 passed, 0 skipped (dataset-level), -1 failed. */
export type RowStatus = 1 | 0 | -1;
export const PASSED: RowStatus = 1;
export const SKIPPED: RowStatus = 0;
export const FAILED: RowStatus = -1;
