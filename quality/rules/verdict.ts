/** The verdicts and messages rules share: a metric against its condition, every row passing. */
import type { Condition } from '../ast.ts';
import { formatCondition } from '../format.ts';
import type { RuleStatus } from '../results.ts';
import type { CountState } from '../states.ts';

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** A metric against the rule's condition; NaN (no values) fails. */
export function judge(
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

/** A rule without a threshold passes only if every row did; the message counts and samples the rest. */
export function allRows(
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

/** Glue's RuleMetrics for a rule that judges rows. */
export function rowMetrics(passed: number, failed: number): Record<string, number> {
  return { 'Rows Passed': passed, 'Rows Failed': failed, 'Total Rows Processed': passed + failed };
}
