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

/** Rows as aligned plain-text lines, the header first: cells cut at 40 characters, NULL as –. */
export function tableLines(rows: readonly Row[], columns: readonly string[]): string[] {
  const cell = (v: Row[string]): string => clip(v === null ? '–' : String(v), 40);
  const heads = columns.map((c) => clip(c, 40));
  const widths = heads.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => cell(r[columns[i]!] ?? null).length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(heads), ...rows.map((r) => line(columns.map((c) => cell(r[c] ?? null))))];
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
  // Cut and padded first, then escaped: an entity such as &lt; is never split, and columns line up as shown.
  const lines = tableLines(shown, columns).map(slackEscape);
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
