/**
 * renderAlert's last line of defence: even an outcome that got past parseOutcome cannot mention
 * anyone or forge a link, since every value goes through the escaping or becomes a number.
 */
import { describe, expect, it } from '@jest/globals';
import { renderAlert } from '../../bot/alerts.ts';
import type { Outcome } from '../../contract/outcome.ts';

const PAYLOADS = ['<!channel>', '<!here>', '<!everyone>', '<@U0ADMIN>', '<https://evil.example|click me>'];

/** Every field that reaches the text, set to a mention or link where a number or enum belongs. */
const hostile = {
  version: 1,
  status: 'PARTIAL',
  source: { bucket: 'b', key: 'k.csv', commit: '<!channel>', actor: '<!here>', repository: '<!here>' },
  execution: { arn: 'a', name: '<@U0ADMIN>', startedAt: '', consoleUrl: '' },
  quality: {
    score: '<!channel>',
    rowsProcessed: 1,
    rowsPassed: 0,
    rowsFailed: 1,
    rules: [
      {
        name: 'Rule_1',
        rule: '<!channel>',
        result: '<!everyone>',
        gate: false,
        message: '<!here>',
        metrics: { '<!channel>': '<!here>', nan: null },
      },
    ],
    gatesFailed: [],
    reasons: [{ reason: '<!here>', rows: '<@U0ADMIN>', lines: ['<https://evil.example|click me>'] }],
  },
  load: { table: 't', rowsLoaded: '<!channel>' },
  quarantine: { uri: '<!here>', rows: '<!here>' },
  error: { state: '<!here>', error: '<!channel>', cause: '<https://evil.example|click me>' },
} as unknown as Outcome;

describe('renderAlert', () => {
  it('renders no mention or link from a hostile outcome, and does not throw', () => {
    const alert = renderAlert(hostile);
    // A button's value is handed back to the bot, never rendered.
    const shown = alert.blocks.filter((b) => b.type !== 'actions');
    const text = JSON.stringify([alert.text, shown, alert.thread]);
    for (const p of PAYLOADS) expect(text).not.toContain(p);
    // No field here is a link the alert makes (a GitHub pull request, an AWS console page).
    expect(text).not.toContain('<');
    expect(text).toContain('*NaN* rows loaded');
    expect(text).toContain('(line NaN)');
    expect(text).toContain('nan = n/a');
  });
});
