/**
 * The quality policy: how a ruleset's results decide what happens to a batch.
 *
 * - A rule that states a batch tolerance (a ratio such as `Completeness "title" > 0.95`, a
 *   `with threshold`, or a dataset-level metric such as `RowCount > 0`) gates the batch: if it
 *   fails, or cannot be evaluated, nothing loads and the file is quarantined whole.
 * - Every other rule judges rows: rows that fail it (or break the data contract) are
 *   quarantined, the rest load.
 */
import type { EvaluatedRule } from '../quality/evaluate.ts';
import type { DataQualityResult } from '../quality/results.ts';
import type { OutcomeStatus } from './outcome.ts';

/** A checked batch's status: every outcome's but FAILED, which only a run that broke has. */
export type Verdict = Exclude<OutcomeStatus, 'FAILED'>;

export interface BatchDecision {
  readonly verdict: Verdict;
  /** Names (Rule_N) of the gating rules that failed. */
  readonly gatesFailed: readonly string[];
  readonly rowsToLoad: number;
  readonly rowsToQuarantine: number;
}

export function decideBatch(rules: readonly EvaluatedRule[], result: DataQualityResult): BatchDecision {
  const gatesFailed = result.RuleResults.filter((r, i) => r.Result !== 'PASS' && rules[i]!.tolerance).map(
    (r) => r.Name,
  );
  const {
    TotalRowsPassed: passed,
    TotalRowsFailed: failed,
    TotalRowsProcessed: total,
  } = result.AggregatedMetrics;
  if (gatesFailed.length || passed === 0)
    return { verdict: 'QUALITY_FAILED', gatesFailed, rowsToLoad: 0, rowsToQuarantine: total };
  return {
    verdict: failed ? 'PARTIAL' : 'SUCCEEDED',
    gatesFailed,
    rowsToLoad: passed,
    rowsToQuarantine: failed,
  };
}
