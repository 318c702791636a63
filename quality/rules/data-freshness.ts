/** DataFreshness: every value's age (now minus the value, in milliseconds) against the condition. */
import { numberTest, toInstant } from '../conditions.ts';
import { showCell } from './cells.ts';
import { complianceRule } from './compliance-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { allRows } from './verdict.ts';

export const compileDataFreshness = ruleCompiler(
  { rowLevel: true },
  ({ ctx, description, col, where, key, condition }) => {
    const test = numberTest(condition(), ctx);
    const now = ctx.now.getTime();
    return complianceRule({
      description,
      tolerance: false,
      where,
      ok: (values) => {
        const t = toInstant(values[col]!);
        return t !== null && test(now - t);
      },
      sample: (values, raw) => showCell(values, col, raw),
      samples: ctx.samples,
      finish: (state) => ({
        ...allRows(state, 'are not fresh enough'),
        metrics: { [key('DataFreshness.Compliance')]: state.ratio },
      }),
    });
  },
);
