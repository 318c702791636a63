/**
 * The human-readable report of `movies validate`. File names, rules and messages go through
 * inert(): the report may be printed in a CI log, where a line of its own could be a workflow command.
 */
import type { DropCheck } from '../contract/check.ts';
import { inert } from '../contract/inert-text.ts';
import { counted, formatMetric, formatScore, lineList } from '../contract/outcome-view.ts';

const MARK = { PASS: 'PASS ', FAIL: 'FAIL ', ERROR: 'ERROR' } as const;

export function renderCheck(check: DropCheck, outputs: { goodPath?: string; badPath?: string } = {}): string {
  const { result, decision } = check;
  const m = result.AggregatedMetrics;
  const lines: string[] = [];
  // Gates by their rule, as the table below shows them, not by their Rule_N names.
  const gatesFailed = decision.gatesFailed.map((name) =>
    inert(result.RuleResults.find((r) => r.Name === name)?.Description ?? name),
  );
  const verdict =
    decision.verdict === 'SUCCEEDED'
      ? m.TotalRowsProcessed === 1
        ? 'the one row would load'
        : `all ${m.TotalRowsProcessed} rows would load`
      : decision.verdict === 'PARTIAL'
        ? `${counted(decision.rowsToLoad, 'row')} would load, ${decision.rowsToQuarantine} would be quarantined`
        : `nothing would load: ${gatesFailed.length ? `${gatesFailed.length > 1 ? 'batch gates' : 'batch gate'} ${gatesFailed.join('; ')} failed` : 'no row passed'}`;
  lines.push(`${inert(check.file)}: ${decision.verdict} (${verdict})`);
  lines.push(
    `  rows ${m.TotalRowsProcessed} read, ${m.TotalRowsPassed} passed, ${m.TotalRowsFailed} failed; ` +
      `rules ${m.TotalRulesPassed}/${m.TotalRulesProcessed} passed (score ${formatScore(result.Score)})`,
  );
  if (check.layout.mapping) lines.push(`  columns mapped by ${inert(check.layout.mapping)}`);
  if (check.layout.derivedId)
    lines.push('  movie_id derived from title and release_year (the file has no id column)');
  if (check.layout.absent.length)
    lines.push(
      `  columns not in this file (NULL for new films; films already loaded keep theirs): ${check.layout.absent.join(', ')}`,
    );
  if (check.layout.extra.length)
    lines.push(`  columns the contract does not know (kept as text): ${check.layout.extra.join(', ')}`);
  lines.push('');
  const width = Math.min(64, Math.max(...result.RuleResults.map((r) => r.Description.length), 4));
  lines.push(`  ${'Rule'.padEnd(width)}  Result  Kind  Metrics`);
  result.RuleResults.forEach((r, i) => {
    const kind = check.rules[i]!.tolerance ? 'gate' : 'rows';
    const metrics = Object.entries(r.EvaluatedMetrics)
      .map(([k, v]) => `${k.split('.').slice(2).join('.') || k}=${formatMetric(v)}`)
      .join(' ');
    // A rule too long for the column gets a line of its own: rules are never cut.
    const rule = inert(r.Description);
    if (rule.length > width) lines.push(`  ${rule}`);
    lines.push(
      `  ${(rule.length > width ? '' : rule).padEnd(width)}  ${MARK[r.Result]}   ${kind}  ${metrics}`,
    );
    if (r.EvaluationMessage)
      for (const msg of r.EvaluationMessage.split('\n'))
        lines.push(`  ${' '.repeat(width)}  ↳ ${inert(msg)}`);
  });
  if (check.reasons.length) {
    lines.push('', '  Most common reasons rows failed:');
    for (const r of check.reasons.slice(0, 10)) {
      const more = r.rows > r.lines.length ? ', ...' : '';
      lines.push(`  ${String(r.rows).padStart(7)} × ${inert(r.reason)}  (${lineList(r.lines)}${more})`);
    }
    if (check.reasons.length > 10) lines.push(`          ...and ${check.reasons.length - 10} more reasons`);
  }
  if (outputs.goodPath && decision.verdict === 'QUALITY_FAILED')
    lines.push(
      '',
      `  wrote ${inert(outputs.badPath!)} (the file as it is: the pipeline quarantines a rejected file whole) and no good.csv (nothing would load)`,
    );
  else if (outputs.goodPath)
    lines.push(
      '',
      `  wrote ${inert(outputs.goodPath)} (${counted(m.TotalRowsPassed, 'row')}) and ${inert(outputs.badPath!)} (${counted(m.TotalRowsFailed, 'row')})`,
    );
  return `${lines.join('\n')}\n\n`;
}
