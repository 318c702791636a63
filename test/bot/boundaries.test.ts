/**
 * The bot's less-travelled paths, at the boundary users see: signed slash commands to the real
 * bot, outcomes over SNS from the real local twin, Slack's Web API faked at the edge.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CancelStatementCommand,
  ExecuteStatementCommand,
  ListStatementsCommand,
} from '@aws-sdk/client-redshift-data';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBotConfig } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/server.ts';
import { SnsVerifier } from '../../bot/sns-verify.ts';
import { selfSignedCertificate } from '../../local-aws/certificate.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { snsStringToSign } from '../../contract/sns-signature.ts';
import { clients, drop, finishedExecution, type Clients } from '../local-aws/twin-client.ts';
import { botEnv, slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';

const SECRET = 'test-signing-secret';
const MENTION = 'S0ONCALL1';
let root: string;
let twin: Twin;
let c: Clients;
let slack: FakeSlack;
/** Allow-lists and an alert mention; subscribed to the twin's topics. */
let bot: RunningBot;
/** A one-second query deadline; not subscribed: alerts are posted once, and its cache is never cleared. */
let impatient: RunningBot;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-boundaries-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  c = clients(twin.endpoint, twin.region);
  slack = await startFakeSlack();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  const env = botEnv(twin, slack, SECRET);
  bot = await startBot(
    readBotConfig({
      ...env,
      MOVIES_ALLOWED_CHANNELS: 'C0DATA123,C0OTHER99',
      MOVIES_ALLOWED_USERS: 'U0USER001',
      MOVIES_ALERT_MENTION: MENTION,
    }),
    { endpoint: twin.endpoint, subscribe: true },
  );
  impatient = await startBot(readBotConfig({ ...env, MOVIES_QUERY_TIMEOUT_SECONDS: '1' }), {
    endpoint: twin.endpoint,
  });
  await twin.sns.flush(); // the subscription confirmations have reached the bot
}, 120_000);
afterAll(async () => {
  // The twin first: its last SNS deliveries reach the bot, and the bot's posts reach Slack.
  await twin?.stop();
  await bot?.stop();
  await impatient?.stop();
  await slack?.close();
  rmSync(root, { recursive: true, force: true });
});

const waitFor = async (pred: () => boolean, ms = 15_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end && !pred();) await new Promise((r) => setTimeout(r, 25));
};

type Answer = { response_type?: string; text?: string; blocks?: { type: string; text?: { text: string } }[] };

/** A signed /movies command from `channel` and `user`; its answer, inline or on the response URL. */
async function ask(
  text: string,
  { to = bot, channel = 'C0DATA123', user = 'U0USER001' } = {},
): Promise<Answer> {
  const responseUrl = `${slack.url}/response/${Math.random().toString(36).slice(2)}`;
  const body = new URLSearchParams({
    command: '/movies',
    text,
    response_url: responseUrl,
    channel_id: channel,
    user_id: user,
    team_id: 'T0TEAM001',
    trigger_id: '1.2.3',
  }).toString();
  const r = await fetch(`http://127.0.0.1:${to.port}/slack/events`, {
    method: 'POST',
    headers: slackSignature(SECRET, body),
    body,
  });
  expect(r.status).toBe(200);
  const ack = await r.text();
  if (ack) return JSON.parse(ack) as Answer;
  const path = new URL(responseUrl).pathname;
  await waitFor(() => slack.calls.some((x) => x.path === path));
  return slack.calls.find((x) => x.path === path)!.body as Answer;
}
const shown = (a: Answer): string =>
  (a.blocks ?? []).map((b) => b.text?.text ?? JSON.stringify(b)).join('\n');

/** Drop a file, wait for its execution and for SNS to have delivered the outcome to the bot. */
async function dropAndDeliver(key: string, body: Buffer | string): Promise<string> {
  const etag = await drop(c, twin.bucket, key, body);
  const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
  await twin.sns.flush();
  return run.status!;
}
/** The top-level messages (not thread replies) posted to `channel` since call `since`. */
const postedTo = (channel: string, since: number): Answer[] =>
  slack.calls
    .slice(since)
    .filter((x) => x.path === '/api/chat.postMessage' && x.body.channel === channel && !x.body.thread_ts)
    .map((x) => x.body as Answer);

/** The newest statement the warehouse has seen, to tell whether a command ran a query. */
const newestStatement = async (): Promise<string | undefined> =>
  (await c.redshift.send(new ListStatementsCommand({ MaxResults: 1 }))).Statements?.[0]?.Id;

const HEADER = readFileSync('data/clean/movies_2024_q1.csv', 'utf8').split('\r\n')[0]!;
/** A drop of `n` ordinary films, plus `extra` rows as they are. */
const films = (n: number, extra: string[] = []): string =>
  [
    HEADER,
    ...Array.from(
      { length: n },
      (_, i) =>
        `https://images.example.org/posters/b${i}.jpg,Boundary Film ${i},${1960 + i},PG,100 min,Drama,6.5,A film.,,Ann Lee,A B,C D,E F,G H,1000,`,
    ),
    ...extra,
  ].join('\r\n') + '\r\n';

describe('the bot at its boundaries', () => {
  it('refuses /movies outside the allowed channels and users, running no query; answers inside', async () => {
    const before = await newestStatement();
    const elsewhere = await ask('top-rated 5', { channel: 'C0RANDOM1' });
    expect(elsewhere).toMatchObject({ response_type: 'ephemeral' });
    expect(shown(elsewhere)).toBe('`/movies` is not enabled in this channel.');
    const stranger = await ask('top-rated 5', { user: 'U0STRANGE' });
    expect(stranger).toMatchObject({ response_type: 'ephemeral' });
    expect(shown(stranger)).toBe('You are not on the list of people who may ask `/movies`.');
    expect(await newestStatement()).toBe(before);
    // An allowed user in the other allowed channel gets the real answer.
    const allowed = await ask('top-rated 5', { channel: 'C0OTHER99' });
    expect(allowed).toMatchObject({ response_type: 'in_channel', text: 'Top rated films' });
    expect(shown(allowed)).toContain('Top 5 films by weighted rating');
    expect(await newestStatement()).not.toBe(before);
  }, 30_000);

  it('tells the asker in one sentence when the warehouse does not answer in time', async () => {
    // Hold the warehouse, as a long load would, so the statement cannot finish before the deadline.
    const { Id: busy } = await c.redshift.send(
      new ExecuteStatementCommand({
        WorkgroupName: 'movies',
        Database: 'movies',
        Sql: 'SELECT pg_sleep(60)',
      }),
    );
    try {
      const answer = await ask('top-rated', { to: impatient });
      expect(answer).toEqual({
        response_type: 'ephemeral',
        text: 'The warehouse did not answer within 1 s; try again in a moment.',
        blocks: [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: ':hourglass: The warehouse did not answer within 1 s; try again in a moment.',
            },
          },
        ],
      });
      // Nobody waits for the query any more: it was cancelled, not left to run.
      const [last] = (await c.redshift.send(new ListStatementsCommand({ MaxResults: 1 }))).Statements ?? [];
      expect(last).toMatchObject({
        Status: 'ABORTED',
        QueryString: expect.stringContaining('mv_top_rated_movies'),
      });
    } finally {
      await c.redshift.send(new CancelStatementCommand({ Id: busy }));
    }
  }, 30_000);

  it('posts a success to the data channel without the on-call mention', async () => {
    const since = slack.calls.length;
    expect(
      await dropAndDeliver('input_data/boundaries/clean.csv', readFileSync('data/clean/movies_2024_q1.csv')),
    ).toBe('SUCCEEDED');
    const [message, ...more] = postedTo('C0DATA123', since);
    expect(more).toEqual([]);
    expect(shown(message!)).toContain(':white_check_mark: *input_data/boundaries/clean.csv* loaded');
    expect(JSON.stringify(message)).not.toContain('subteam');
    expect(postedTo('C0ALERTS1', since)).toEqual([]);
  }, 90_000);

  it('mentions the on-call user group on a rejected drop in the alert channel', async () => {
    const since = slack.calls.length;
    await dropAndDeliver(
      'input_data/boundaries/rejected.csv',
      readFileSync('data/rejected/movies_2024_q3.csv'),
    );
    const [message] = postedTo('C0ALERTS1', since);
    expect(shown(message!)).toMatch(
      new RegExp(
        `^<!subteam\\^${MENTION}> :x: \\*input_data/boundaries/rejected.csv\\* rejected by a data-quality gate`,
      ),
    );
  }, 90_000);

  it('alerts a FAILED run with the failed state and its cause, mentioning on-call', async () => {
    const since = slack.calls.length;
    const key = 'input_data/boundaries/semicolons.csv';
    // Not comma-separated: the ETL job fails before any quality rule runs.
    expect(await dropAndDeliver(key, 'Series_Title;Released_Year;IMDB_Rating\nA;2000;8\n')).toBe('FAILED');
    const [message, ...more] = postedTo('C0ALERTS1', since);
    expect(more).toEqual([]);
    expect(shown(message!)).toContain(`<!subteam^${MENTION}> :boom: *${key}* failed`);
    expect(shown(message!)).toContain(
      `*Run ETL job*: \`States.TaskFailed\`\n${key}:1: the header is separated by semicolons; drops must be comma-separated`,
    );
    expect(postedTo('C0DATA123', since)).toEqual([]);
  }, 90_000);

  it('forgets cached answers when a success outcome arrives over SNS', async () => {
    const first = await ask('top-rated');
    expect(shown(first)).toContain('Top 10 films by weighted rating');
    expect(shown(first)).not.toContain('Boundary Masterpiece');
    // A control: the other bot caches the same answer but hears no SNS message.
    expect(shown(await ask('top-rated', { to: impatient }))).toBe(shown(first));
    // Far more votes and a higher rating than any film loaded so far: first by weighted rating.
    const masterpiece = `https://images.example.org/posters/bm.jpg,Boundary Masterpiece,1999,R,120 min,Drama,9.9,The best film.,99,Ann Lee,A B,C D,E F,G H,9000000,`;
    expect(await dropAndDeliver('input_data/boundaries/films.csv', films(30, [masterpiece]))).toBe(
      'SUCCEEDED',
    );
    const after = await ask('top-rated');
    expect(shown(after)).toMatch(/```title\s[^\n]*\nBoundary Masterpiece\s+1999\s+9\.9/);
    expect(shown(await ask('top-rated', { to: impatient }))).toBe(shown(first));
  }, 90_000);

  it('says "…and N more" when a table is cut, and never sends more than 50 blocks', async () => {
    // 25 clean films + 31 from the last drop: top-rated 50 has 50 rows, of which 40 are shown.
    const answer = await ask('top-rated 50');
    expect(shown(answer)).toContain('Top 50 films by weighted rating');
    expect(answer.blocks!.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '…and 10 more' }],
    });
    const rows = shown(answer).match(/^(```)?(Boundary|The) /gm) ?? [];
    expect(rows).toHaveLength(40);
    for (const q of ['top-rated 50', 'genres', 'trends', 'status'])
      expect((await ask(q)).blocks!.length).toBeLessThanOrEqual(50);
    for (const x of slack.calls.filter((x) => Array.isArray(x.body.blocks)))
      expect((x.body.blocks as unknown[]).length).toBeLessThanOrEqual(50);
  }, 60_000);

  it('lists the latest executions with their outcomes on /movies status', async () => {
    const answer = await ask('status');
    expect(answer).toMatchObject({ response_type: 'in_channel', text: 'Pipeline status' });
    const lines = shown(answer);
    expect(lines).toContain('*Latest pipeline runs*');
    for (const [outcome, file] of [
      ['SUCCEEDED', 'clean.csv'],
      ['QUALITY_FAILED', 'rejected.csv'],
      ['FAILED', 'semicolons.csv'],
      ['SUCCEEDED', 'films.csv'],
    ])
      expect(lines).toMatch(
        new RegExp(
          `^• ${outcome} \`input_data/boundaries/${file}\` — \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`,
          'm',
        ),
      );
    expect(lines).toContain(twin.stateMachineArn);
  }, 30_000);
});

describe('SNS signing-certificate pinning', () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:movies-pipeline-success';
  const good = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem';
  const { certificatePem, privateKeyPem } = selfSignedCertificate('sns.us-east-1.amazonaws.com');
  let id = 0;
  const signed = (SigningCertURL: string): string => {
    const m: Record<string, string> = {
      Type: 'Notification',
      MessageId: `m-${++id}`,
      TopicArn: topic,
      Message: 'hello',
      Timestamp: new Date().toISOString(), // recent: older messages are refused as replays
      SignatureVersion: '2',
      SigningCertURL,
    };
    m.Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(privateKeyPem, 'base64');
    return JSON.stringify(m);
  };

  it("fetches certificates only over https from SNS's own host for the region, and only .pem files", async () => {
    const fetched: string[] = [];
    // No trustedCertificateUrl: only the host pinning decides.
    const verifier = new SnsVerifier({
      region: 'us-east-1',
      topicArns: [topic],
      fetchText: async (url) => (fetched.push(url), certificatePem),
    });
    expect(await verifier.verify(signed(good))).toMatchObject({ Message: 'hello' });
    const bad = [
      good.replace('https:', 'http:'),
      good.replace('amazonaws.com/', 'amazonaws.com.evil.com/'),
      good.replace('.pem', '.txt'),
      `${good}/x`,
      good.replace('us-east-1', 'eu-west-1'),
      good.replace('amazonaws.com/', 'amazonaws.com:8443/'),
    ];
    for (const url of bad)
      await expect(verifier.verify(signed(url))).rejects.toThrow(
        `The signing certificate is not from SNS: ${url}`,
      );
    expect(fetched).toEqual([good]);
  });
});
