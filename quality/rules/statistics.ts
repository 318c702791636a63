/** Statistics of a numeric column: Mean, Sum, StandardDeviation, Variance (text that reads as a number counts). */
import { numberTest } from '../conditions.ts';
import { MomentsState } from '../states.ts';
import { asNumber } from './cells.ts';
import { datasetRule } from './dataset-rule.ts';
import { ruleCompiler, type RuleCompiler } from './rule-input.ts';
import { judge } from './verdict.ts';

/** A rule on one statistic, reported under the rule type's name; no metric when there are no values. */
function statistic(metric: string, measure: (state: MomentsState) => number): RuleCompiler {
  return ruleCompiler({ rowLevel: false }, ({ ctx, description, col, where, key, condition }) => {
    const c = condition();
    const test = numberTest(c, ctx);
    const state = new MomentsState();
    return datasetRule(
      description,
      (values) => {
        if (where && !where(values)) return;
        const x = asNumber(values[col]!);
        if (x !== null) state.add(x);
      },
      () => {
        const value = measure(state);
        return {
          ...judge(test, value, c),
          metrics: Number.isNaN(value) ? {} : { [key(metric)]: value },
        };
      },
    );
  });
}

export const compileMean = statistic('Mean', (state) => (state.n ? state.mean : NaN));
export const compileSum = statistic('Sum', (state) => (state.n ? state.sum : NaN));
export const compileStandardDeviation = statistic('StandardDeviation', (state) => Math.sqrt(state.variance));
export const compileVariance = statistic('Variance', (state) => state.variance);
