/**
 * `/movies trends` asked by many at once, at the boundary: signed slash commands to the real bot,
 * the twin's warehouse, Slack's Web API and uploads faked at the edge. The charts are drawn off
 * the event loop, once per data they show, so acknowledgments and other answers never wait on them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LogLevel } from '@slack/bolt';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBotConfig } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/server.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, drop, finishedExecution } from '../local-aws/twin-client.ts';
import { botEnv, slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';
import { recordingLogger, type RecordingLogger } from './recording-logger.ts';

const SECRET = 'test-signing-secret';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let root: string;
let twin: Twin;
let slack: FakeSlack;
let bot: RunningBot;
let log: RecordingLogger;

/** Drop a file and wait until SNS has told the bot its outcome. */
async function load(key: string, file: string): Promise<void> {
  const c = clients(twin.endpoint, twin.region);
  const etag = await drop(c, twin.bucket, key, readFileSync(file));
  expect((await finishedExecution(c, twin.stateMachineArn, key, etag)).status).toBe('SUCCEEDED');
  await twin.sns.flush();
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-trends-load-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  slack = await startFakeSlack();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  log = recordingLogger();
  bot = await startBot(readBotConfig(botEnv(twin, slack, SECRET)), {
    endpoint: twin.endpoint,
    subscribe: true,
    logger: log,
  });
  await twin.sns.flush(); // the subscriptions are confirmed
  await load('input_data/trends/q1.csv', 'data/clean/movies_2024_q1.csv');
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  await bot?.stop();
  await slack?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Asked {
  /** The answer in the acknowledgment itself, if it came there. */
  inline: { response_type?: string; text?: string; blocks?: unknown } | null;
  /** Where the answer arrives otherwise. */
  responsePath: string;
}

/** A signed `/movies` command; resolves once acknowledged. */
async function slash(text: string): Promise<Asked> {
  const responsePath = `/response/${Math.random().toString(36).slice(2)}`;
  const body = new URLSearchParams({
    command: '/movies',
    text,
    response_url: `${slack.url}${responsePath}`,
    channel_id: 'C0DATA123',
    user_id: 'U0USER001',
    team_id: 'T0TEAM001',
    trigger_id: '1.2.3',
  }).toString();
  const r = await fetch(`http://127.0.0.1:${bot.port}/slack/events`, {
    method: 'POST',
    headers: slackSignature(SECRET, body),
    body,
  });
  expect(r.status).toBe(200);
  const ack = await r.text();
  return { inline: ack ? (JSON.parse(ack) as Asked['inline']) : null, responsePath };
}

/** The answer to a command: in its acknowledgment, or once posted to its response URL. */
async function answerOf(a: Asked): Promise<{ response_type?: string; text?: string; blocks?: unknown }> {
  return a.inline ?? (await slack.next(a.responsePath)).body;
}
const since = (n: number, path: string): FakeSlack['calls'] =>
  slack.calls.slice(n).filter((c) => c.path === path);
const drawings = (): string[] => log.at(LogLevel.DEBUG).filter((l) => l.startsWith('Drew the chart'));
/** The PNG inside an upload's form body: from its signature to the end of its IEND chunk (and CRC). */
function pngIn(body: Buffer): Buffer {
  const start = body.indexOf(PNG_SIGNATURE);
  expect(start).toBeGreaterThanOrEqual(0);
  return body.subarray(start, body.indexOf('IEND', start) + 8);
}
/** The chart files the bot completed since call `n`, with the bytes uploaded for each. */
function chartsPosted(n: number): { channel: unknown; title: string; png: Buffer }[] {
  const calls = slack.calls.slice(n);
  const uploads = new Map(
    calls
      .filter((c) => c.path.startsWith('/upload/'))
      .map((c) => [c.path.slice('/upload/'.length), c.body.bytes]),
  );
  return since(n, '/api/files.completeUploadExternal').map((c) => {
    const [file] = JSON.parse(String(c.body.files)) as { id: string; title: string }[];
    return { channel: c.body.channel_id, title: file!.title, png: pngIn(uploads.get(file!.id) as Buffer) };
  });
}
describe('/movies trends under load', () => {
  it('acknowledges every command before drawing, and answers /movies help while the charts are being drawn', async () => {
    const before = slack.calls.length;
    const asked = await Promise.all(Array.from({ length: 12 }, () => slash('trends 1950-2000')));
    for (const a of asked) expect(a.inline).toBeNull();
    // Asked once every trends command has its acknowledgment: the chart is not drawn yet.
    const help = await slash('help');
    expect(help.inline).toMatchObject({ response_type: 'ephemeral', text: 'How to use /movies' });
    expect(since(before, '/api/files.getUploadURLExternal')).toHaveLength(0);

    // Every trends answer still arrives, after its chart.
    for (const a of asked) {
      const answer = await answerOf(a);
      expect(JSON.stringify(answer.blocks)).toContain('Films per year 1950-2000');
      expect(JSON.stringify(answer.blocks)).not.toContain('could not be');
    }
    expect(chartsPosted(before)).toHaveLength(12);
  }, 60_000);

  it('draws the chart once for many concurrent askers, and uploads it for each', async () => {
    const before = slack.calls.length;
    const drawn = drawings().length;
    const asked = await Promise.all(Array.from({ length: 10 }, () => slash('trends')));
    for (const a of asked) {
      const answer = await answerOf(a);
      expect(answer).toMatchObject({ response_type: 'in_channel', text: 'Trends' });
      expect(JSON.stringify(answer.blocks)).toContain('Films per year');
    }
    expect(drawings().slice(drawn)).toEqual([
      expect.stringMatching(/^Drew the chart "Films per year and their average IMDb rating" in \d+ ms\.$/),
    ]);
    const posted = chartsPosted(before);
    expect(posted).toHaveLength(10);
    for (const p of posted) {
      expect(p).toMatchObject({
        channel: 'C0DATA123',
        title: 'Films per year and their average IMDb rating',
      });
      expect(p.png.length).toBeGreaterThan(10_000);
      expect(p.png.equals(posted[0]!.png)).toBe(true);
    }
  }, 60_000);

  it('keeps the drawing while the views stay as they are, and draws again after a successful load', async () => {
    const drawn = drawings().length;
    await answerOf(await slash('trends'));
    expect(drawings()).toHaveLength(drawn);

    await load('input_data/trends/q1-again.csv', 'data/clean/movies_2024_q1.csv');
    const before = slack.calls.length;
    const again = await Promise.all([slash('trends'), slash('trends')]);
    for (const a of again) await answerOf(a);
    expect(drawings().slice(drawn)).toEqual([expect.stringContaining('Films per year and their average')]);
    expect(chartsPosted(before)).toHaveLength(2);
  }, 60_000);
});
