/** The shape of the dataset: RowCount, ColumnCount, ColumnExists, ColumnNamesMatchPattern. */
import { javaRegExp, numberTest } from '../conditions.ts';
import { datasetRule } from './dataset-rule.ts';
import { ruleCompiler } from './rule-input.ts';
import { judge } from './verdict.ts';

export const compileRowCount = ruleCompiler({ rowLevel: false }, ({ ctx, description, where, condition }) => {
  const c = condition();
  const test = numberTest(c, ctx);
  let rows = 0;
  return datasetRule(
    description,
    (values) => {
      if (!where || where(values)) rows++;
    },
    () => ({ ...judge(test, rows, c), metrics: { 'Dataset.*.RowCount': rows } }),
  );
});

export const compileColumnCount = ruleCompiler({ rowLevel: false }, ({ ctx, description, condition }) => {
  const c = condition();
  const test = numberTest(c, ctx);
  const n = ctx.presentColumns.length;
  return datasetRule(description, null, () => ({
    ...judge(test, n, c),
    metrics: { 'Dataset.*.ColumnCount': n },
  }));
});

export const compileColumnExists = ruleCompiler(
  { rowLevel: false, needsColumns: false },
  ({ rule, ctx, description }) => {
    const name = rule.params[0]!;
    const exists =
      ctx.presentColumns.includes(name) ||
      ctx.presentColumns.some(
        (c) => ctx.columnIndex(c) === ctx.columnIndex(name) && ctx.columnIndex(name) >= 0,
      );
    return datasetRule(description, null, () => ({
      result: exists ? 'PASS' : 'FAIL',
      ...(exists ? {} : { message: `Input data does not include column ${name}!` }),
      metrics: { [`Dataset.${name}.ColumnExists`]: exists ? 1 : 0 },
    }));
  },
);

export const compileColumnNamesMatchPattern = ruleCompiler(
  { rowLevel: false, needsColumns: false },
  ({ rule, ctx, description }) => {
    const re = javaRegExp(rule.params[0]!);
    const bad = ctx.presentColumns.filter((c) => !re.test(c));
    const ratio = ctx.presentColumns.length ? 1 - bad.length / ctx.presentColumns.length : 1;
    return datasetRule(description, null, () => ({
      result: bad.length ? 'FAIL' : 'PASS',
      ...(bad.length ? { message: `Columns that do not match the pattern: ${bad.join(', ')}` } : {}),
      metrics: { 'Dataset.*.ColumnNamesPatternMatchRatio': ratio },
    }));
  },
);
