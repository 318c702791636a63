import { FAILED, PASSED } from '../results.ts';
import { CountState } from '../states.ts';
import type { CompiledRule, RawText, Row, RuleVerdict } from './compiled-rule.ts';
import { rowMetrics } from './verdict.ts';

interface ComplianceSpec {
  description: string;
  tolerance: boolean;
  where: ((row: Row) => boolean) | null;
  ok: (values: Row) => boolean;
  sample: (values: Row, raw?: RawText) => string;
  samples: number;
  finish: (state: CountState & { failedSamples: string[] }) => RuleVerdict;
}

/** A rule that judges each row and asserts on the share of rows that passed. */
export function complianceRule(spec: ComplianceSpec): CompiledRule {
  const state = Object.assign(new CountState(), { failedSamples: [] as string[] });
  return {
    description: spec.description,
    rowLevel: true,
    tolerance: spec.tolerance,
    row(values, line, raw) {
      if (spec.where && !spec.where(values)) return PASSED; // filtered rows are labelled Passed, as in Glue
      state.rows++;
      if (spec.ok(values)) {
        state.matched++;
        return PASSED;
      }
      if (state.failedSamples.length < spec.samples)
        state.failedSamples.push(`line ${line}: ${spec.sample(values, raw)}`);
      return FAILED;
    },
    verdict() {
      const out = spec.finish(state);
      return { ...out, ruleMetrics: rowMetrics(state.matched, state.rows - state.matched) };
    },
  };
}
