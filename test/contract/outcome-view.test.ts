import { describe, expect, it } from '@jest/globals';
import type { OutcomeRule } from '../../contract/outcome.ts';
import { failedRules, formatMetric, formatScore } from '../../contract/outcome-view.ts';

describe('the failed-rules view', () => {
  const rule = (over: Partial<OutcomeRule>): OutcomeRule => ({
    name: 'Rule_1',
    rule: 'RowCount > 0',
    result: 'PASS',
    gate: true,
    metrics: {},
    ...over,
  });

  it('keeps the rules that failed or erred, in order, gates and row checks alike', () => {
    const rules = [
      rule({ name: 'Rule_1' }),
      rule({ name: 'Rule_2', rule: 'IsComplete "title"', result: 'FAIL', gate: false, message: 'why' }),
      rule({
        name: 'Rule_3',
        rule: 'ColumnCount = 9',
        result: 'ERROR',
        metrics: { 'Dataset.*.ColumnCount': 8 },
      }),
    ];
    expect(failedRules({ rules })).toEqual([
      { rule: 'IsComplete "title"', result: 'FAIL', gate: false, metrics: {}, message: 'why' },
      { rule: 'ColumnCount = 9', result: 'ERROR', gate: true, metrics: { 'Dataset.*.ColumnCount': 8 } },
    ]);
    expect(failedRules(undefined)).toEqual([]);
  });
});

describe('numbers in reports', () => {
  it('show scores to two decimals and metrics to six significant digits', () => {
    expect(formatScore(5 / 6)).toBe('0.83');
    expect(formatScore(1)).toBe('1.00');
    expect(formatMetric(2 / 3)).toBe('0.666667');
    expect(formatMetric(25)).toBe('25');
    expect(formatMetric(123_456_789)).toBe('123457000');
    // A NaN metric is null in JSON (the Glue job and the twin both write it so).
    expect(formatMetric(null)).toBe('n/a');
  });
});
