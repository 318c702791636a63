/** Completeness (a stated share of non-NULL values) and IsComplete (no NULLs at all). */
import type { Condition } from '../ast.ts';
import { numberTest } from '../conditions.ts';
import type { CompiledRule } from './compiled-rule.ts';
import { showCell } from './cells.ts';
import { complianceRule } from './compliance-rule.ts';
import { ruleCompiler, type RuleInput } from './rule-input.ts';
import { allRows, judge } from './verdict.ts';

/** `condition` null: every value must be present. */
function completeness(
  { ctx, description, col, where, key }: RuleInput,
  condition: Condition | null,
): CompiledRule {
  const stated = condition && { test: numberTest(condition, ctx), condition };
  return complianceRule({
    description,
    tolerance: stated !== null,
    where,
    ok: (values) => values[col] !== null,
    sample: (values, raw) => showCell(values, col, raw),
    samples: ctx.samples,
    finish: (state) => ({
      ...(stated ? judge(stated.test, state.ratio, stated.condition) : allRows(state, 'are NULL')),
      metrics: { [key('Completeness')]: state.ratio },
    }),
  });
}

export const compileCompleteness = ruleCompiler({ rowLevel: true }, (input) =>
  completeness(input, input.condition()),
);

export const compileIsComplete = ruleCompiler({ rowLevel: true }, (input) => completeness(input, null));
