/**
 * `npm run demo`: the whole flow offline. Starts the local twin, a local stand-in for Slack and
 * the Slack bot in-process; drops the sample files from data/ into S3 with the AWS SDK (as the
 * GitHub Action does on merge); then shows the alert the bot posted for each drop and its answers
 * to `/movies top-rated` and `/movies genres`, as text.
 */
import '../cli/node-warnings.ts';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Block } from '../bot/blocks.ts';
import { readBotConfig } from '../bot/config.ts';
import { blocksAsText } from '../bot/plain-text.ts';
import { startBot } from '../bot/server.ts';
import { slackSignature, startLocalSlack, type SlackCall } from './slack.ts';
import { startTwin } from '../local-aws/twin.ts';

const DROPS = [
  'data/clean/movies_2024_q1.csv',
  'data/defects/movies_2024_q2.csv',
  'data/rejected/movies_2024_q3.csv',
];
const CHANNELS = { alerts: 'C0MOVIEALERTS', data: 'C0MOVIEDATA' };
const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'movies-demo-'));
out(
  'movies-gds demo: the AWS side runs locally (S3, EventBridge, Step Functions, Glue-equivalent ETL, warehouse, SNS),',
);
out('with the Slack bot beside it and a local stand-in for Slack.');
const twin = await startTwin({ dataDir, port: 0 });
const slack = await startLocalSlack();
const signingSecret = randomBytes(16).toString('hex');
// The twin accepts any credentials; the bot's SDK clients only need some.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
const bot = await startBot(
  readBotConfig({
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-local-demo',
    SLACK_API_URL: `${slack.url}/api/`,
    MOVIES_ALERT_CHANNEL: CHANNELS.alerts,
    MOVIES_DATA_CHANNEL: CHANNELS.data,
    MOVIES_TOPIC_ARNS: `${twin.topics.success},${twin.topics.failure}`,
    MOVIES_STATE_MACHINE_ARN: twin.stateMachineArn,
    MOVIES_SNS_CERTIFICATE_URL: twin.sns.certificateUrl,
    AWS_REGION: twin.region,
    PORT: '0',
  }),
  { endpoint: twin.endpoint, subscribe: true },
);
out(`Local twin on ${twin.endpoint}, bot on http://127.0.0.1:${bot.port}, up in ${seconds(started)} s.\n`);

try {
  const s3 = new S3Client({
    endpoint: twin.endpoint,
    region: twin.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const file of DROPS) {
    const key = `input_data/${relative('data', file)}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: twin.bucket,
        Key: key,
        Body: readFileSync(file),
        ContentType: 'text/csv',
        Metadata: { actor: 'demo', repository: 'movies-gds/demo' },
      }),
    );
    out(`dropped ${file} → s3://${twin.bucket}/${key}`);
  }
  out('\nwaiting for the pipeline and its alerts in Slack...\n');
  for (const alert of await alerts(DROPS.length)) {
    const channel = alert.body.channel === CHANNELS.alerts ? '#movies-alerts' : '#movies-data';
    out(`${channel} ─ the bot posted:`);
    out(blocksAsText(alert.body.blocks as Block[], '  │ '));
    for (const reply of slack.calls.filter((c) => c.body.thread_ts && c.body.thread_ts === alert.reply.ts))
      out(blocksAsText(reply.body.blocks as Block[], '  └─ thread │ '));
    out();
  }
  for (const question of ['top-rated 5', 'genres']) {
    out(`/movies ${question}`);
    out(blocksAsText(await ask(question), '  '));
    out();
  }
  out(
    `Done in ${seconds(started)} s. Next: npm start (the twin and the bot), npx movies query trends --chart trends.png`,
  );
} finally {
  // The twin first: its last SNS deliveries reach the bot, and the bot's posts reach Slack.
  await twin.stop();
  await bot.stop();
  await slack.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The top-level alert messages, once one per drop has arrived (the thread follows each at once). */
async function alerts(count: number): Promise<SlackCall[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const top = slack.calls.filter((c) => c.path === '/api/chat.postMessage' && !c.body.thread_ts);
    if (top.length >= count) {
      await new Promise((r) => setTimeout(r, 200)); // the thread replies follow their message
      // In the order of the drops (alerts arrive in the order the runs finish).
      const order = (c: SlackCall): number =>
        DROPS.findIndex((f) => String(c.body.text).includes(relative('data', f)));
      return top.sort((a, b) => order(a) - order(b));
    }
    if (Date.now() > deadline) throw new Error(`Only ${top.length} of ${count} alerts arrived in 120 s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ask the bot as Slack would: a signed slash command. */
async function ask(text: string): Promise<Block[]> {
  const path = `/response/${randomBytes(6).toString('hex')}`;
  const body = new URLSearchParams({
    command: '/movies',
    text,
    response_url: `${slack.url}${path}`,
    channel_id: CHANNELS.data,
    user_id: 'U0DEMO',
    team_id: 'T0DEMO',
    trigger_id: 'demo',
  }).toString();
  const r = await fetch(`http://127.0.0.1:${bot.port}/slack/events`, {
    method: 'POST',
    headers: slackSignature(signingSecret, body),
    body,
  });
  if (r.status !== 200) throw new Error(`The bot answered /movies ${text} with HTTP ${r.status}.`);
  // A quick answer comes in the acknowledgment itself; a slower one on the response URL.
  const ack = await r.text();
  return ((ack ? JSON.parse(ack) : (await slack.next(path)).body) as { blocks: Block[] }).blocks;
}
