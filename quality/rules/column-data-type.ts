/** ColumnDataType: whether each value casts to the named Spark type(s). */
import { numberTest } from '../conditions.ts';
import { castTest } from './casts.ts';
import { showCell } from './cells.ts';
import { complianceRule } from './compliance-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { allRows, judge } from './verdict.ts';

export const compileColumnDataType = ruleCompiler(
  { rowLevel: true },
  ({ rule, ctx, description, col, where, key, condition: needCondition }) => {
    const condition = needCondition();
    const types = (
      condition.kind === 'in' ? condition.items : condition.kind === 'compare' ? [condition.operand] : []
    ).map((e) => (e.kind === 'string' ? e.value : e.kind === 'date' || e.kind === 'time' ? e.text : ''));
    const casts = types.map(castTest);
    const negated =
      (condition.kind === 'compare' && condition.op === '!=') ||
      (condition.kind === 'in' && condition.negated);
    const threshold = rule.threshold ? numberTest(rule.threshold, ctx) : null;
    return complianceRule({
      description,
      tolerance: threshold !== null,
      where,
      ok: (values) => {
        const v = values[col]!;
        const fits = v !== null && casts.some((c) => c(v));
        return negated ? v !== null && !fits : fits;
      },
      sample: (values, raw) => showCell(values, col, raw),
      samples: ctx.samples,
      finish: (state) => ({
        ...(threshold
          ? judge(threshold, state.ratio, rule.threshold!)
          : allRows(state, `are not of type ${types.join(' or ')}`)),
        metrics: { [key('ColumnDataType.Compliance')]: state.ratio },
      }),
    });
  },
);
