/**
 * Block Kit as terminal text: what `movies query` prints and how the demo shows the bot's
 * messages. Slack's markup is undone — code fences and spans, links, bold, escapes, common emoji.
 */
import type { Block } from './blocks.ts';

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  warning: '⚠️',
  x: '❌',
  boom: '💥',
  no_entry: '⛔',
  mag: '🔍',
  hourglass: '⌛',
  thinking_face: '🤔',
  bar_chart: '📊',
};

export function blocksAsText(blocks: readonly Block[], indent = ''): string {
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.type === 'section' && b.text) lines.push(mrkdwnAsText(b.text.text));
    else if (b.type === 'context')
      lines.push(b.elements.map((e) => ('text' in e ? mrkdwnAsText(e.text) : '')).join(' '));
    else if (b.type === 'actions')
      lines.push(b.elements.map((e) => (e.type === 'button' ? `[${e.text.text}]` : '')).join(' '));
    else if (b.type === 'image') lines.push(`[image: ${b.alt_text}]`);
  }
  return lines
    .join('\n')
    .split('\n')
    .map((l) => `${indent}${l}`.trimEnd())
    .join('\n');
}

export function mrkdwnAsText(text: string): string {
  return text
    .replace(/```([\s\S]*?)```/g, (_, code: string) => code)
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/<!subteam\^[A-Z0-9]+>/g, '@group')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:])/g, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:])/g, '$1$2')
    .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
