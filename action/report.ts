/** The job summary (and PR comment body) for validate mode, in GitHub-flavoured Markdown. */
import type { FileReport, FileStatus } from './validate.ts';

const ICON: Record<FileStatus, string> = {
  SUCCEEDED: '✅',
  PARTIAL: '⚠️',
  QUALITY_FAILED: '❌',
  FAILED: '💥',
};
/** GitHub refuses job summaries over 1 MiB and comments over 65,536 characters; stay under both. */
export const MAX_MARKDOWN = 60_000;

/** Text from data or paths, made inert in Markdown tables (no pipes, no HTML, no mentions). */
export function md(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}

/** Text inside a code span in a table cell. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderSummary(reports: readonly FileReport[], status: FileStatus): string {
  const out: string[] = [`## ${ICON[status]} movies-gds data check: ${status}`, ''];
  if (!reports.length) out.push('No data files matched.');
  else {
    out.push(
      '| File | Status | Rows | Would load | Would quarantine | Score |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    );
    for (const r of reports)
      out.push(
        `| \`${code(r.file)}\` | ${ICON[r.status]} ${r.status} | ${r.rows} | ${r.rowsLoaded} | ${r.rowsQuarantined} | ${r.score === null ? '–' : r.score.toFixed(2)} |`,
      );
  }
  for (const r of reports) {
    if (r.error) out.push('', `### \`${code(r.file)}\``, '', `> ${md(r.error)}`);
    else if (r.failedRules.length) {
      out.push(
        '',
        `### \`${code(r.file)}\``,
        '',
        '| Rule | Result | Kind | Metrics | Why |',
        '| --- | --- | --- | --- | --- |',
      );
      for (const f of r.failedRules) {
        const metrics = Object.entries(f.metrics)
          .map(([k, v]) => `${md(k)}=${Number(v.toPrecision(6))}`)
          .join('<br>');
        out.push(
          `| \`${code(f.rule)}\` | ${f.result} | ${f.gate ? 'batch gate' : 'row check'} | ${metrics} | ${md(f.message)} |`,
        );
      }
      if (r.reasons.length) {
        out.push('', '<details><summary>Most common reasons rows failed</summary>', '');
        for (const x of r.reasons.slice(0, 10))
          out.push(`- ${x.rows} × ${md(x.reason)} (lines ${x.lines.join(', ')})`);
        out.push('', '</details>');
      }
    }
  }
  const text = out.join('\n') + '\n';
  return text.length <= MAX_MARKDOWN
    ? text
    : `${text.slice(0, MAX_MARKDOWN - 80)}\n\n…the report was cut to fit GitHub's size limit.\n`;
}
