/**
 * `movies local --bot`, run as a user runs it: a restart of the bot on another port moves its
 * subscriptions there, and leaves none at the old port.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack, type FakeSlack } from '../bot/fake-slack.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-local-bot-'));
let slack: FakeSlack;
let child: ChildProcess | undefined;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `movies local --bot`; resolves with the twin's endpoint and the bot's port once both listen. */
function startLocal(): Promise<{ endpoint: string; botPort: string }> {
  child = spawn(process.execPath, ['bin/movies.js', 'local', '--bot', '--port', '0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      SLACK_SIGNING_SECRET: 'local-bot-secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: `${slack.url}/api/`,
      MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
      MOVIES_DATA_CHANNEL: 'C0DATA123',
      PORT: '0',
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const twin = /local twin on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const bot = /Slack bot on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (twin && bot) resolve({ endpoint: twin[1]!, botPort: bot[1]! });
    });
    child!.on('exit', (code) => reject(new Error(`movies local exited with ${code}: ${out}`)));
  });
}

async function stopLocal(): Promise<void> {
  const exited = new Promise((r) => child!.once('exit', r));
  child!.kill('SIGTERM');
  await exited;
  child = undefined;
}

describe('movies local --bot', () => {
  it('moves the bot’s subscriptions to its new port on a restart', async () => {
    const first = await startLocal();
    await stopLocal();
    const second = await startLocal();
    expect(second.botPort).not.toBe(first.botPort);
    const sns = new SNSClient({
      endpoint: second.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const topic = 'arn:aws:sns:us-east-1:000000000000:movies-pipeline-success';
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
    expect(Subscriptions!.map((s) => new URL(s.Endpoint!).port)).toEqual([second.botPort]);
    await stopLocal();
  }, 180_000);
});
