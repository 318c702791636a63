import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

describe('npm run demo', () => {
  it('runs the whole flow offline: three drops, their alerts in Slack, and the bot’s answers', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], {
      env: { ...process.env, AWS_ENDPOINT_URL: '', AWS_PROFILE: '' },
      timeout: 110_000,
    });
    const alert = (channel: string, line: string): RegExp =>
      new RegExp(`${channel} ─ the bot posted:\\n  │ ${line}`);
    expect(stdout).toMatch(alert('#movies-data', '✅ input_data/clean/movies_2024_q1.csv loaded'));
    expect(stdout).toMatch(
      alert('#movies-data', '⚠️ input_data/defects/movies_2024_q2.csv loaded, with rows quarantined'),
    );
    expect(stdout).toMatch(
      alert('#movies-alerts', '❌ input_data/rejected/movies_2024_q3.csv rejected by a data-quality gate'),
    );
    expect(stdout).toContain('└─ thread │ Why rows failed');
    expect(stdout).toMatch(
      /\/movies top-rated 5\n {2}Top 5 films by weighted rating\n {2}title\s+release_year/,
    );
    expect(stdout).toMatch(/\/movies genres\n {2}Genres\n {2}genre\s+movies\s+avg_rating/);
    expect(stdout).toMatch(/Done in [\d.]+ s\./);
  }, 120_000);
});
