/**
 * "Show failed rows" against the local twin, pressed as Slack posts it: only a quarantine object of
 * the pipeline's bucket is read, checked as the literal key (the twin resolves "..", so
 * bad_data/../archive/… would read an archived input); any other value is refused, ephemerally.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBotConfig } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/server.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients } from '../local-aws/twin-client.ts';
import { botEnv, showFailedRowsPress, slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';

const SECRET = 'test-signing-secret';
let root: string;
let twin: Twin;
let slack: FakeSlack;
let bot: RunningBot;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-rows-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  slack = await startFakeSlack();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  bot = await startBot(readBotConfig(botEnv(twin, slack, SECRET)), { endpoint: twin.endpoint });
  const { s3 } = clients(twin.endpoint, twin.region);
  const put = (Key: string, Body: string) =>
    s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key, Body }));
  // Not a quarantine: an archived input, which the button must never show.
  await put('archive/private.csv', 'title,ContractViolations\nPRIVATE ROW,none\n');
  await put('bad_data/run-1/rows/bad.csv', 'title,ContractViolations\nQuarantined film,title is missing\n');
}, 120_000);
afterAll(async () => {
  await bot?.stop();
  await twin?.stop();
  await slack?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Presses the button with `value` on a message; the bot's one reply to Slack. */
async function press(value: string): Promise<FakeSlack['calls'][number]> {
  const ts = '1700000000.000100';
  const before = slack.calls.length;
  const body = showFailedRowsPress(value, ts, `${slack.url}/response/button`);
  const r = await fetch(`http://127.0.0.1:${bot.port}/slack/events`, {
    method: 'POST',
    headers: slackSignature(SECRET, body),
    body,
  });
  expect(r.status).toBe(200);
  const replies = () => slack.calls.slice(before).filter((c) => /^\/api\/chat\.post/.test(c.path));
  for (const end = Date.now() + 10_000; Date.now() < end && !replies().length;)
    await new Promise((res) => setTimeout(res, 25));
  expect(replies()).toHaveLength(1);
  return replies()[0]!;
}
const text = (call: FakeSlack['calls'][number]): string => JSON.stringify(call.body);

describe('"Show failed rows"', () => {
  it('shows the rows of a quarantine object in the thread', async () => {
    const reply = await press('s3://movies-gds/bad_data/run-1/rows/bad.csv');
    expect(reply.path).toBe('/api/chat.postMessage');
    expect(reply.body).toMatchObject({ channel: 'C0DATA123', thread_ts: '1700000000.000100' });
    expect(text(reply)).toContain('Quarantined film');
  }, 30_000);

  it('refuses a key that leaves bad_data/ through "..", to the presser alone, reading nothing', async () => {
    for (const value of [
      's3://movies-gds/bad_data/../archive/private.csv',
      's3://movies-gds/bad_data/run-1/../../archive/private.csv',
      's3://movies-gds/bad_data/./../archive/private.csv',
    ]) {
      const reply = await press(value);
      expect(text(reply)).not.toContain('PRIVATE ROW');
      expect(reply.path).toBe('/api/chat.postEphemeral');
      expect(reply.body).toMatchObject({ channel: 'C0DATA123', user: 'U0USER001' });
      expect(reply.body.text).toBe(
        `That is not a quarantine object: "${value}" is not a file under s3://movies-gds/bad_data/ (no "." or ".." in its path).`,
      );
    }
  }, 30_000);

  it('refuses another bucket and other prefixes, ephemerally', async () => {
    const other = await press('s3://movies-gds-other/bad_data/run-1/rows/bad.csv');
    expect([other.path, other.body.text]).toEqual([
      '/api/chat.postEphemeral',
      'That is not a quarantine of the pipeline\'s bucket: "s3://movies-gds-other/bad_data/run-1/rows/bad.csv" is not in s3://movies-gds/.',
    ]);
    const archive = await press('s3://movies-gds/archive/private.csv');
    expect(archive.path).toBe('/api/chat.postEphemeral');
    expect(text(archive)).not.toContain('PRIVATE ROW');
  }, 30_000);
});
