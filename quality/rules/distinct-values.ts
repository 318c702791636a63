/** Metrics of the value distribution: UniqueValueRatio, DistinctValuesCount, Entropy. */
import { numberTest } from '../conditions.ts';
import { datasetRule } from './dataset-rule.ts';
import type { FrequencyAnalyzer } from './frequency.ts';
import { ruleCompiler, type RuleCompiler } from './rule-input.ts';
import { judge } from './verdict.ts';

/** A rule on one metric of the rule's frequency table, reported under the rule type's name. */
function distinctValues(metric: string, measure: (freq: FrequencyAnalyzer) => number): RuleCompiler {
  return ruleCompiler({ rowLevel: false }, ({ rule, ctx, description, cols, key, condition }) => {
    const freq = ctx.frequencies(cols, rule.where);
    const c = condition();
    const test = numberTest(c, ctx);
    return datasetRule(description, null, () => {
      const value = measure(freq);
      return { ...judge(test, value, c), metrics: { [key(metric)]: value } };
    });
  });
}

/** Values seen once, per distinct value. */
export const compileUniqueValueRatio = distinctValues('UniqueValueRatio', (freq) => {
  const distinct = freq.state.distinct;
  return distinct ? freq.stats().unique / distinct : 0;
});

export const compileDistinctValuesCount = distinctValues(
  'DistinctValuesCount',
  (freq) => freq.state.distinct,
);

export const compileEntropy = distinctValues('Entropy', (freq) => freq.stats().entropy);
