/**
 * Uniqueness (a stated share of values seen once), IsUnique (all of them) and IsPrimaryKey
 * (unique and never NULL). A row fails when its key was seen before.
 */
import { numberTest } from '../conditions.ts';
import { FAILED, PASSED } from '../results.ts';
import { show } from './cells.ts';
import type { CompiledRule } from './compiled-rule.ts';
import { ruleCompiler, type RuleInput } from './rule-input.ts';
import { judge, rowMetrics } from './verdict.ts';

/** `stated`: the rule states its own condition; else uniqueness must be 1. */
function uniqueness(
  { rule, ctx, description, cols, where, key, condition }: RuleInput,
  { stated, primary }: { stated: boolean; primary: boolean },
): CompiledRule {
  const freq = ctx.frequencies(cols, rule.where);
  const test = stated ? numberTest(condition(), ctx) : (x: number) => x === 1;
  const nulls = cols.map(() => 0);
  let rows = 0;
  const counts = { passed: 0, failed: 0 };
  const samples: string[] = [];
  return {
    description,
    rowLevel: true,
    tolerance: stated,
    row(values, line) {
      if (where && !where(values)) return PASSED;
      rows++;
      let ok = freq.prior <= 0;
      if (primary)
        cols.forEach((c, i) => {
          if (values[c] === null) {
            nulls[i]!++;
            ok = false;
          }
        });
      if (ok) counts.passed++;
      else {
        counts.failed++;
        if (samples.length < ctx.samples)
          samples.push(
            `line ${line}: ${freq.prior > 0 ? `duplicate ${cols.map((c) => show(values[c]!)).join(', ')}` : 'NULL'}`,
          );
      }
      return ok ? PASSED : FAILED;
    },
    verdict() {
      const { unique } = freq.stats();
      const uniqueness = freq.state.rows === 0 ? 1 : unique / freq.state.rows;
      const metrics: Record<string, number> = { [key('Uniqueness')]: uniqueness };
      if (primary)
        cols.forEach(
          (_, i) => (metrics[`Column.${rule.params[i]}.Completeness`] = rows ? 1 - nulls[i]! / rows : 1),
        );
      const complete = nulls.every((n) => n === 0);
      const judged = judge(
        test,
        uniqueness,
        rule.condition ?? {
          kind: 'compare',
          op: '=',
          operand: { kind: 'number', value: 1, text: '1.0' },
        },
      );
      const failed = judged.result === 'FAIL' || !complete;
      const why = [
        judged.result === 'FAIL' ? judged.message : null,
        complete ? null : 'Some key values are NULL.',
        samples.length ? `e.g. ${samples.join('; ')}` : null,
      ]
        .filter(Boolean)
        .join(' ');
      return {
        result: failed ? 'FAIL' : 'PASS',
        ...(failed ? { message: why } : {}),
        metrics,
        ruleMetrics: rowMetrics(counts.passed, counts.failed),
      };
    },
  };
}

export const compileUniqueness = ruleCompiler({ rowLevel: true }, (input) =>
  uniqueness(input, { stated: true, primary: false }),
);

export const compileIsUnique = ruleCompiler({ rowLevel: true }, (input) =>
  uniqueness(input, { stated: false, primary: false }),
);

export const compileIsPrimaryKey = ruleCompiler({ rowLevel: true }, (input) =>
  uniqueness(input, { stated: false, primary: true }),
);
