/** ColumnCorrelation: Pearson's correlation of two numeric columns, over rows where both are numbers. */
import { numberTest } from '../conditions.ts';
import { CorrelationState } from '../states.ts';
import { asNumber } from './cells.ts';
import { datasetRule } from './dataset-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { judge } from './verdict.ts';

export const compileColumnCorrelation = ruleCompiler(
  { rowLevel: false },
  ({ ctx, description, cols, col, where, key, condition }) => {
    const c = condition();
    const test = numberTest(c, ctx);
    const state = new CorrelationState();
    const other = cols[1]!;
    return datasetRule(
      description,
      (values) => {
        if (where && !where(values)) return;
        const x = asNumber(values[col]!);
        const y = asNumber(values[other]!);
        if (x !== null && y !== null) state.add(x, y);
      },
      () => {
        const value = state.correlation;
        return {
          ...judge(test, value, c),
          metrics: Number.isNaN(value) ? {} : { [key('ColumnCorrelation')]: value },
        };
      },
    );
  },
);
