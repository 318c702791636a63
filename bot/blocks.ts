/** Block Kit within Slack's limits: at most 50 blocks, 3,000 characters a text, "…and N more" when cut. */
import type { types } from '@slack/bolt';
import type { Row } from './warehouse.ts';
import { clip, slackEscape } from './slack-text.ts';

export type Block = types.KnownBlock;
const TEXT_LIMIT = 3000;
const MAX_ROWS = 40;

export function section(markdown: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(markdown, TEXT_LIMIT) } };
}

export function context(markdown: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(markdown, TEXT_LIMIT) }] };
}

/**
 * Rows as an aligned monospace table (headers and cells escaped), cut to fit. `empty` is what
 * to say when there are no rows.
 */
export function table(
  title: string,
  rows: readonly Row[],
  columns: readonly string[],
  empty = 'No rows yet: nothing has been loaded into the warehouse.',
): Block[] {
  if (!rows.length) return [section(`*${slackEscape(title)}*\n${empty}`)];
  const shown = rows.slice(0, MAX_ROWS);
  // Cut, then pad, then escape: an entity such as &lt; is never split, and columns line up as shown.
  const cell = (v: Row[string]): string => clip(v === null ? '–' : String(v), 40);
  const heads = columns.map((c) => clip(c, 40));
  const widths = heads.map((h, i) =>
    Math.max(h.length, ...shown.map((r) => cell(r[columns[i]!] ?? null).length)),
  );
  const line = (cells: string[]): string =>
    slackEscape(
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  const lines = [line(heads), ...shown.map((r) => line(columns.map((c) => cell(r[c] ?? null))))];
  const blocks: Block[] = [section(`*${slackEscape(title)}*`)];
  // Several code blocks when the table is longer than one text allows.
  let chunk: string[] = [];
  for (const l of lines) {
    if ([...chunk, l].join('\n').length + 6 > TEXT_LIMIT) {
      blocks.push(section(`\`\`\`${chunk.join('\n')}\`\`\``));
      chunk = [];
    }
    chunk.push(l);
  }
  if (chunk.length) blocks.push(section(`\`\`\`${chunk.join('\n')}\`\`\``));
  if (rows.length > shown.length) blocks.push(context(`…and ${rows.length - shown.length} more`));
  return blocks.slice(0, 50);
}
