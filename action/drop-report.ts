/**
 * The job summary (and PR comment body) for drop mode: a table of the files, one diagram of how
 * far their executions got through the pipeline's phases, and per file the failed rules and,
 * collapsed, every state its execution entered.
 */
import { lastPhase, PHASES } from '../contract/pipeline-states.ts';
import { STATUS_ICON, type DropStatus } from '../contract/status.ts';
import type { DropResult } from '../drop-client/drop.ts';
import { code, cutToFit, fileCell, md, metricsCell } from './report.ts';

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
        `| ${fileCell(r.file, r.mapping)} | ${STATUS_ICON[r.status].emoji} ${r.status} | ${r.rowsLoaded ?? '–'} | ${r.rowsQuarantined ?? '–'} | ${execution} |`,
      );
    }
  }
  const followed = results.flatMap((r) => (r.path?.length ? [{ path: r.path, status: r.status }] : []));
  if (followed.length) out.push('', phaseDiagram(followed));
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
    if (r.path?.length)
      details.push(
        '',
        `<details><summary>The ${r.path.length} states its execution entered</summary>`,
        '',
        r.path.map(md).join(' → '),
        '',
        '</details>',
      );
    if (details.length) out.push('', `### ${code(r.file)}`, '', ...details);
  }
  return cutToFit(out.join('\n') + '\n');
}

/** A link's target: an https URL, with what would end the link or the cell percent-encoded. */
function linkTarget(url: string): string {
  if (!/^https:\/\//i.test(url)) return '#';
  return url.replace(/[^\w\-.~:/?#[\]@!$&'*+,;=%]/gu, (c) =>
    [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** Where a run that left the happy path went, drawn beside it. */
interface OffPath {
  readonly id: string;
  readonly label: string;
  readonly verb: string;
  readonly style: 'bad' | 'wait';
}

const OFF_PATH: Partial<Record<DropStatus, OffPath>> = {
  QUALITY_FAILED: { id: 'quality', label: 'Quality alert', verb: 'rejected', style: 'bad' },
  FAILED: { id: 'failure', label: 'Failure alert', verb: 'failed', style: 'bad' },
  TIMEOUT: { id: 'waiting', label: 'Not finished', verb: 'not finished', style: 'wait' },
  UPLOADED: { id: 'waiting', label: 'Not finished', verb: 'not finished', style: 'wait' },
};

/**
 * One left-to-right flowchart for every run: the happy path's phases, each labelled with how many
 * runs reached it when not all did, and an edge off the path from the phase where runs left it
 * for an alert (or were not finished when the Action stopped waiting), with their count.
 */
export function phaseDiagram(runs: readonly { path: readonly string[]; status: DropStatus }[]): string {
  const left = runs.map((r) => ({
    at: Math.max(
      0,
      PHASES.findIndex((p) => p.name === lastPhase(r.path)),
    ),
    to: OFF_PATH[r.status],
  }));
  const reached = PHASES.map((_, i) => left.filter((r) => r.at >= i).length);
  const phase = (i: number): string =>
    `p${i}["${PHASES[i]!.name}${reached[i] === runs.length ? '' : ` · ${reached[i]} of ${runs.length}`}"]`;
  const edges = new Map<string, { from: number; to: OffPath; count: number }>();
  for (const { at, to } of left) {
    if (!to) continue;
    const key = `${at} ${to.id}`;
    edges.set(key, { from: at, to, count: (edges.get(key)?.count ?? 0) + 1 });
  }
  const styled = (style: OffPath['style']): string[] => [
    ...new Set([...edges.values()].filter((e) => e.to.style === style).map((e) => e.to.id)),
  ];
  return [
    '```mermaid',
    'flowchart LR',
    `  ${PHASES.map((_, i) => phase(i)).join(' --> ')}`,
    ...[...edges.values()].map(
      ({ from, to, count }) => `  p${from} -.->|"${count} ${to.verb}"| ${to.id}(["${to.label}"])`,
    ),
    '  classDef ok fill:#d1f7d6,stroke:#1a7f37',
    '  classDef bad fill:#ffd8d3,stroke:#cf222e',
    '  classDef wait fill:#fff8c5,stroke:#9a6700',
    `  class ${PHASES.flatMap((_, i) => (reached[i]! > 0 ? [`p${i}`] : [])).join(',')} ok`,
    ...(['bad', 'wait'] as const).flatMap((style) =>
      styled(style).length ? [`  class ${styled(style).join(',')} ${style}`] : [],
    ),
    '```',
  ].join('\n');
}
