/** The job summary (and PR comment body) for drop mode: a table per file and the path each execution took. */
import { STATUS_ICON, type DropStatus } from '../contract/status.ts';
import type { DropResult } from '../drop-client/drop.ts';
import { code, md, metricsCell, MAX_MARKDOWN } from './report.ts';

export function renderDropSummary(results: readonly DropResult[], status: DropStatus): string {
  const out: string[] = [`## ${STATUS_ICON[status].emoji} movies-gds data drop: ${status}`, ''];
  if (!results.length) out.push('No data files changed.');
  else {
    out.push('| File | Status | Loaded | Quarantined | Execution |', '| --- | --- | ---: | ---: | --- |');
    for (const r of results) {
      const execution = r.consoleUrl
        ? `[${md(r.executionArn!.split(':').at(-1)!)}](${linkTarget(r.consoleUrl)})`
        : r.executionArn
          ? md(r.executionArn.split(':').at(-1)!)
          : '–';
      out.push(
        `| ${code(r.file)} | ${STATUS_ICON[r.status].emoji} ${r.status} | ${r.rowsLoaded ?? '–'} | ${r.rowsQuarantined ?? '–'} | ${execution} |`,
      );
    }
  }
  for (const r of results) {
    const details: string[] = [];
    if (r.quarantineUri) details.push(`Quarantine: ${code(r.quarantineUri)}`);
    if (r.error) details.push(`> ${md(r.error)}`);
    if (r.failedRules?.length) {
      details.push('', '| Rule | Result | Kind | Metrics |', '| --- | --- | --- | --- |');
      for (const f of r.failedRules)
        details.push(
          `| ${code(f.rule)} | ${f.result} | ${f.gate ? 'batch gate' : 'row check'} | ${metricsCell(f.metrics)} |`,
        );
    }
    if (r.path?.length) details.push('', mermaid(r.path, r.status));
    if (details.length) out.push('', `### ${code(r.file)}`, '', ...details);
  }
  const text = out.join('\n') + '\n';
  return text.length <= MAX_MARKDOWN
    ? text
    : `${text.slice(0, MAX_MARKDOWN - 80)}\n\n…the report was cut to fit GitHub's size limit.\n`;
}

/** A link's target: an https URL, with what would end the link or the cell percent-encoded. */
function linkTarget(url: string): string {
  if (!/^https:\/\//i.test(url)) return '#';
  return url.replace(/[^\w\-.~:/?#[\]@!$&'*+,;=%]/gu, (c) =>
    [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** A flowchart of the states an execution went through (each transition once, loops included). */
export function mermaid(path: readonly string[], status: DropStatus): string {
  const ids = new Map<string, string>();
  const id = (state: string): string => {
    if (!ids.has(state)) ids.set(state, `s${ids.size}`);
    return ids.get(state)!;
  };
  const edges = new Set<string>();
  path.forEach((state, i) => {
    id(state);
    if (i > 0) edges.add(`  ${id(path[i - 1]!)} --> ${id(state)}`);
  });
  const label = (s: string): string => s.replace(/["[\]{}()<>]/g, ' ');
  const last = id(path.at(-1)!);
  const cls = status === 'SUCCEEDED' || status === 'PARTIAL' ? 'ok' : 'bad';
  return [
    '```mermaid',
    'flowchart TD',
    ...[...ids].map(([state, sid]) => `  ${sid}["${label(state)}"]`),
    ...edges,
    '  classDef ok fill:#d1f7d6,stroke:#1a7f37',
    '  classDef bad fill:#ffd8d3,stroke:#cf222e',
    `  class ${last} ${cls}`,
    '```',
  ].join('\n');
}
