/** ColumnValues: each value against the condition, all of them or a stated share. */
import { cellTest, numberTest } from '../conditions.ts';
import { MomentsState } from '../states.ts';
import { showCell } from './cells.ts';
import { complianceRule } from './compliance-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { allRows, judge } from './verdict.ts';

export const compileColumnValues = ruleCompiler(
  { rowLevel: true },
  ({ rule, ctx, description, col, where, key, condition: needCondition }) => {
    const condition = needCondition();
    const ignoreCase = String(rule.options.ignoreCase ?? '').toLowerCase() === 'true';
    const cell = cellTest(condition, ctx, ignoreCase);
    const threshold = rule.threshold ? numberTest(rule.threshold, ctx) : null;
    const numeric = ctx.columnType(col) === 'integer' || ctx.columnType(col) === 'decimal';
    const moments = numeric && condition.kind !== 'in' ? new MomentsState() : null;
    return complianceRule({
      description,
      tolerance: threshold !== null,
      where,
      ok: (values) => {
        const v = values[col]!;
        if (moments && typeof v === 'number') moments.add(v);
        return cell(v);
      },
      sample: (values, raw) => showCell(values, col, raw),
      samples: ctx.samples,
      finish: (state) => ({
        ...(threshold
          ? judge(threshold, state.ratio, rule.threshold!)
          : allRows(state, 'do not satisfy the rule')),
        metrics: {
          [key('ColumnValues.Compliance')]: state.ratio,
          ...(moments && moments.n ? { [key('Minimum')]: moments.min, [key('Maximum')]: moments.max } : {}),
        },
      }),
    });
  },
);
