/** The job summary (and PR comment body) for validate mode, in GitHub-flavoured Markdown. */
import type { OutcomeStatus } from '../contract/outcome.ts';
import { formatMetric, formatScore, lineList } from '../contract/outcome-view.ts';
import { STATUS_ICON } from '../contract/status.ts';
import { escapeControls } from '../contract/inert-text.ts';
import type { FileReport } from './validate.ts';

/** GitHub refuses job summaries over 1 MiB and comments over 65,536 characters; stay under both. */
const MAX_MARKDOWN = 60_000;

/**
 * Text from data or paths, made inert in Markdown wherever it lands (a table cell, a heading, a
 * quote): control characters and line separators shown as escapes (a bare CR ends a line too),
 * every ASCII punctuation character escaped (no HTML, links, emphasis or block syntax), pipes as
 * an entity (a backslash before one would escape the escape), and mentions, issue references and
 * bare web links broken with a zero-width space (an s3:// URI is no link, and stays as it is).
 */
export function md(text: string): string {
  return escapeControls(text)
    .replace(/(?<=\bhttps?:)(?=\/\/)|(?<=www)(?=\.)/gi, '\u200b')
    .replace(/[!-/:-@[-`{-~]/g, (c) =>
      c === '|' ? '&#124;' : c === '@' || c === '#' ? `\\${c}\u200b` : `\\${c}`,
    );
}

/** Text shown as code (a file name, a rule), inert as md() makes it: HTML's <code>, as a code span cannot escape. */
export function code(text: string): string {
  return `<code>${md(text)}</code>`;
}

/** A failed rule's metrics in a table cell, one per line. */
export function metricsCell(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${md(k)}=${formatMetric(v)}`)
    .join('<br>');
}

export function renderSummary(reports: readonly FileReport[], status: OutcomeStatus): string {
  const out: string[] = [`## ${STATUS_ICON[status].emoji} movies-gds data check: ${status}`, ''];
  if (!reports.length) out.push('No data files matched.');
  else {
    out.push(
      '| File | Status | Rows | Would load | Would quarantine | Score |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    );
    for (const r of reports)
      out.push(
        `| ${fileCell(r.file, r.mapping)} | ${STATUS_ICON[r.status].emoji} ${r.status} | ${r.rows} | ${r.rowsLoaded} | ${r.rowsQuarantined} | ${r.score === null ? '–' : formatScore(r.score)} |`,
      );
  }
  for (const r of reports) {
    if (r.error) out.push('', `### ${code(r.file)}`, '', `> ${md(r.error)}`);
    else if (r.failedRules.length) {
      out.push(
        '',
        `### ${code(r.file)}`,
        '',
        '| Rule | Result | Kind | Metrics | Why |',
        '| --- | --- | --- | --- | --- |',
      );
      for (const f of r.failedRules)
        out.push(
          `| ${code(f.rule)} | ${f.result} | ${f.gate ? 'batch gate' : 'row check'} | ${metricsCell(f.metrics)} | ${md(f.message ?? '')} |`,
        );
      if (r.reasons.length) {
        out.push('', '<details><summary>Most common reasons rows failed</summary>', '');
        for (const x of r.reasons.slice(0, 10))
          out.push(`- ${x.rows} × ${md(x.reason)} (${lineList(x.lines)})`);
        out.push('', '</details>');
      }
    }
  }
  return cutToFit(out.join('\n') + '\n');
}

/** A file's table cell, with the mapping it was read through under its name. */
export function fileCell(file: string, mapping: string | undefined): string {
  return mapping ? `${code(file)}<br><sub>mapped by ${code(mapping)}</sub>` : code(file);
}

/** The report whole, or cut to GitHub's limits with a line saying so. */
export function cutToFit(text: string): string {
  return text.length <= MAX_MARKDOWN
    ? text
    : `${text.slice(0, MAX_MARKDOWN - 80)}\n\n…the report was cut to fit GitHub's size limit.\n`;
}
