/** ColumnLength: every value's length (NULL counts as 0) against the condition. */
import { numberTest } from '../conditions.ts';
import { MomentsState } from '../states.ts';
import { complianceRule } from './compliance-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { allRows } from './verdict.ts';

export const compileColumnLength = ruleCompiler(
  { rowLevel: true },
  ({ ctx, description, col, where, key, condition }) => {
    const test = numberTest(condition(), ctx);
    const lengths = new MomentsState();
    return complianceRule({
      description,
      tolerance: false,
      where,
      ok: (values) => {
        const v = values[col];
        const len = v === null || v === undefined ? 0 : String(v).length;
        lengths.add(len);
        return test(len);
      },
      sample: (values) => `length ${values[col] === null ? 0 : String(values[col]).length}`,
      samples: ctx.samples,
      finish: (state) => ({
        ...allRows(state, 'have a length that does not satisfy the rule'),
        metrics: {
          [key('LengthCompliance')]: state.ratio,
          ...(lengths.n ? { [key('MinimumLength')]: lengths.min, [key('MaximumLength')]: lengths.max } : {}),
        },
      }),
    });
  },
);
