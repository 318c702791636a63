/**
 * What every report shows of an outcome's quality, worked out once: the rules that failed
 * (batch gates and row checks), and metrics and scores as numbers people read.
 */
import type { RuleStatus } from '../quality/results.ts';
import type { OutcomeQuality } from './outcome.ts';

export interface FailedRule {
  /** The rule in DQDL. */
  readonly rule: string;
  readonly result: Exclude<RuleStatus, 'PASS'>;
  /** A batch gate (failing it rejects the whole drop), or a row check (its rows are quarantined). */
  readonly gate: boolean;
  readonly metrics: Readonly<Record<string, number>>;
  readonly message?: string;
}

/** The rules that failed or could not be evaluated, in ruleset order. */
export function failedRules(quality: Pick<OutcomeQuality, 'rules'> | undefined): FailedRule[] {
  return (quality?.rules ?? []).flatMap((r) =>
    r.result === 'PASS'
      ? []
      : [
          {
            rule: r.rule,
            result: r.result,
            gate: r.gate,
            metrics: r.metrics,
            ...(r.message ? { message: r.message } : {}),
          },
        ],
  );
}

/** A score (0..1) to two decimals: 0.83. */
export function formatScore(score: number): string {
  return score.toFixed(2);
}

/**
 * A metric to six significant digits, without trailing zeros: 0.666667, 25, 123457000. A metric
 * JSON could not hold (NaN, over no rows) arrives as null: n/a.
 */
export function formatMetric(value: number | null): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : 'n/a';
}

/** A count and its noun, singular for one: `1 row`, `22 rows`. `shown` formats the number. */
export function counted(n: number, noun: string, shown: (n: number) => string = String): string {
  return `${shown(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** Sample line numbers: `line 968`, `lines 4, 30`. */
export function lineList(lines: readonly number[], shown: (n: number) => string = String): string {
  return `line${lines.length === 1 ? '' : 's'} ${lines.map(shown).join(', ')}`;
}
