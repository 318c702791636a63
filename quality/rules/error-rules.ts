/** Rules that cannot be evaluated as written: an ERROR with the reason, or a FAIL for a missing column. */
import { FAILED, SKIPPED } from '../results.ts';
import type { CompiledRule } from './compiled-rule.ts';

export function errorRule(description: string, message: string): CompiledRule {
  return {
    description,
    rowLevel: false,
    tolerance: true,
    row: () => SKIPPED,
    verdict: () => ({ result: 'ERROR', message, metrics: {} }),
  };
}

/** A rule naming a column the data does not have fails, as in Glue. */
export function missingColumnRule(description: string, column: string, rowLevel: boolean): CompiledRule {
  return {
    description,
    rowLevel,
    tolerance: !rowLevel,
    row: () => (rowLevel ? FAILED : SKIPPED),
    verdict: () => ({
      result: 'FAIL',
      message: `Input data does not include column ${column}!`,
      metrics: {},
    }),
  };
}
