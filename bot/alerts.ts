/**
 * Pipeline outcomes as Slack messages: one message per run (status, file, rows, who dropped it
 * from which PR and commit, links), with the details — failed rules and their metrics, the
 * commonest reasons rows failed — in its thread. Everything from data is escaped.
 */
import type { Outcome } from '../contract/outcome.ts';
import { counted, failedRules, formatMetric, formatScore, lineList } from '../contract/outcome-view.ts';
import { fails, STATUS_ICON } from '../contract/status.ts';
import { context, section, type Block } from './blocks.ts';
import { clip, slackEscape } from './slack-text.ts';

const SUMMARY: Record<Outcome['status'], string> = {
  SUCCEEDED: 'loaded',
  PARTIAL: 'loaded, with rows quarantined',
  QUALITY_FAILED: 'rejected by a data-quality gate: nothing loaded',
  FAILED: 'failed',
};

/** The action id of the alert's "Show failed rows" button. */
export const SHOW_FAILED_ROWS = 'show_failed_rows';

export interface AlertMessage {
  readonly text: string;
  readonly blocks: Block[];
  readonly thread: Block[] | null;
}

/** A rejected or failed run: it goes to the alert channel, with the mention. */
export function isFailure(o: Outcome): boolean {
  return fails(o.status, 'quality');
}

/**
 * Every value from the outcome goes into the text through one of these, even one parseOutcome
 * checked: text escaped, numbers as numbers (a string that slipped through becomes NaN, inert).
 */
const e = (value: unknown): string => slackEscape(String(value));
const num = (value: number): string => String(Number(value));
const clipped = (value: unknown, max: number): string => e(clip(String(value), max));
/** null is a metric JSON could not write (NaN). */

/** The quarantine's S3 URI, linked to its place in the S3 console. */
function quarantineLink(uri: string): string {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (!m) return `quarantine \`${e(uri)}\``;
  const [, bucket, key] = m;
  const folder = key!.slice(0, key!.lastIndexOf('/') + 1);
  const url = `https://s3.console.aws.amazon.com/s3/buckets/${bucket}?prefix=${encodeURIComponent(folder)}`;
  return `<${url}|quarantine ${e(uri)}>`;
}

export function renderAlert(o: Outcome, mention?: string): AlertMessage {
  const file = e(o.source.key);
  // The notification text too: Slack renders it, so a key like `<!channel>.csv` stays inert.
  const text = `${e(o.status)}: ${file} ${SUMMARY[o.status]}`;
  const facts: string[] = [];
  if (o.load) facts.push(`${counted(o.load.rowsLoaded, 'row', (n) => `*${num(n)}*`)} loaded`);
  if (o.quarantine) facts.push(`*${num(o.quarantine.rows)}* quarantined`);
  if (o.quality) facts.push(`score ${formatScore(Number(o.quality.score))}`);
  const who: string[] = [];
  if (o.source.actor) who.push(`dropped by *${e(o.source.actor)}*`);
  if (
    o.source.pullRequest &&
    o.source.repository &&
    /^\d+$/.test(o.source.pullRequest) &&
    /^[\w.-]+\/[\w.-]+$/.test(o.source.repository)
  )
    who.push(
      `<https://github.com/${o.source.repository}/pull/${o.source.pullRequest}|${e(o.source.repository)}#${o.source.pullRequest}>`,
    );
  else if (o.source.repository) who.push(e(o.source.repository));
  if (o.source.commit) who.push(`commit \`${e(String(o.source.commit).slice(0, 12))}\``);
  const links: string[] = [];
  // Only AWS console links, and nothing in them that could end the <url|label> early.
  if (/^https:\/\/[\w.-]+\.console\.aws\.amazon\.com\/[^\s<>|]*$/.test(o.execution.consoleUrl))
    links.push(`<${o.execution.consoleUrl}|execution ${e(o.execution.name)}>`);
  else links.push(`execution ${e(o.execution.name)}`);
  if (o.quarantine) links.push(quarantineLink(o.quarantine.uri));
  const lead = isFailure(o) && mention && /^S[A-Z0-9]+$/.test(mention) ? `<!subteam^${mention}> ` : '';
  const blocks: Block[] = [
    section(`${lead}${STATUS_ICON[o.status].slack} *${file}* ${SUMMARY[o.status]}`),
    ...(facts.length ? [section(facts.join(' · '))] : []),
    ...(o.error
      ? [section(`*${e(o.error.state)}*: \`${e(o.error.error)}\`\n${clipped(o.error.cause, 1500)}`)]
      : []),
    context([...who, ...links].join(' · ')),
    ...(o.quarantine && o.quarantine.uri.length < 1900
      ? [
          {
            type: 'actions' as const,
            elements: [
              {
                type: 'button' as const,
                action_id: SHOW_FAILED_ROWS,
                text: { type: 'plain_text' as const, text: 'Show failed rows' },
                value: o.quarantine.uri,
              },
            ],
          },
        ]
      : []),
  ];
  const failed = failedRules(o.quality);
  const thread: Block[] = [];
  if (failed.length) {
    thread.push(section('*Failed rules*'));
    for (const r of failed.slice(0, 20)) {
      const metrics = Object.entries(r.metrics)
        .map(([k, v]) => `${e(k)} = ${formatMetric(v)}`)
        .join(', ');
      thread.push(
        section(
          `${r.gate ? ':no_entry: gate' : ':mag: rows'} \`${clipped(r.rule, 200)}\` *${e(r.result)}*${metrics ? `\n${metrics}` : ''}${r.message ? `\n_${clipped(r.message, 500)}_` : ''}`,
        ),
      );
    }
    if (failed.length > 20) thread.push(context(`…and ${failed.length - 20} more`));
  }
  const reasons = o.quality?.reasons ?? [];
  if (reasons.length)
    thread.push(
      section(
        `*Why rows failed*\n${reasons
          .slice(0, 10)
          .map((r) => `• ${num(r.rows)} × ${clipped(r.reason, 200)} (${lineList(r.lines, num)})`)
          .join('\n')}`,
      ),
    );
  return { text, blocks, thread: thread.length ? thread.slice(0, 50) : null };
}
