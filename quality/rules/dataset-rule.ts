import { SKIPPED } from '../results.ts';
import type { CompiledRule, Row, RuleVerdict } from './compiled-rule.ts';

/** A rule on a dataset-level metric: it reads rows (or not) and skips each one. */
export function datasetRule(
  description: string,
  update: ((values: Row) => void) | null,
  finish: () => RuleVerdict,
): CompiledRule {
  return {
    description,
    rowLevel: false,
    tolerance: true,
    row(values) {
      update?.(values);
      return SKIPPED;
    },
    verdict: finish,
  };
}
