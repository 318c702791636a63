import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBotConfig, type BotConfig } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/server.ts';
import { SnsVerifier } from '../../bot/sns-verify.ts';
import { selfSignedCertificate } from '../../local-aws/certificate.ts';
import { snsStringToSign } from '../../contract/sns-signature.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { pipelineRuleset } from '../../contract/check.ts';
import { Evaluation } from '../../quality/evaluate.ts';
import { pythonQuarantine, ruleOutcomesOf } from '../infra/glue/python-quarantine.ts';
import { clients, drop, finishedExecution } from '../local-aws/twin-client.ts';
import { botEnv, showFailedRowsPress, slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';

const SECRET = 'test-signing-secret';
let root: string;
let twin: Twin;
let bot: RunningBot;
let slack: FakeSlack;
let slackUrl: string;
/** Everything the fake Slack received: Web API calls and response_url posts. */
let calls: FakeSlack['calls'] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-bot-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  // Slack's Web API and response URLs, faked at the edge of the machine.
  slack = await startFakeSlack();
  slackUrl = slack.url;
  calls = slack.calls;
  const config: BotConfig = readBotConfig(botEnv(twin, slack, SECRET));
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  bot = await startBot(config, { endpoint: twin.endpoint, subscribe: true });
}, 120_000);
afterAll(async () => {
  // The twin first: its last SNS deliveries reach the bot, and the bot's posts reach Slack.
  await twin?.stop();
  await bot?.stop();
  await slack?.close();
  rmSync(root, { recursive: true, force: true });
});

const botUrl = (path: string): string => `http://127.0.0.1:${bot.port}${path}`;
const waitFor = async (pred: () => boolean, ms = 15_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end && !pred();) await new Promise((r) => setTimeout(r, 25));
};

/** A slash command as Slack sends it, signed with the app's signing secret (or not). */
async function slash(
  text: string,
  sign: { secret?: string; age?: number } = {},
): Promise<{ status: number; responseUrl: string; inline: Record<string, unknown> | null; at: number }> {
  const responseUrl = `${slackUrl}/response/${Math.random().toString(36).slice(2)}`;
  const body = new URLSearchParams({
    command: '/movies',
    text,
    response_url: responseUrl,
    channel_id: 'C0DATA123',
    user_id: 'U0USER001',
    team_id: 'T0TEAM001',
    trigger_id: '1.2.3',
  }).toString();
  const r = await fetch(botUrl('/slack/events'), {
    method: 'POST',
    headers: slackSignature(sign.secret ?? SECRET, body, sign.age),
    body,
  });
  // A quick answer comes back in the acknowledgment; a slower one on the response URL.
  const ack = await r.text();
  return {
    status: r.status,
    responseUrl: new URL(responseUrl).pathname,
    inline: ack ? (JSON.parse(ack) as Record<string, unknown>) : null,
    at: performance.now(),
  };
}

/** The answer to a slash command: in its acknowledgment, or posted to its response URL. */
const answerOf = async (r: Awaited<ReturnType<typeof slash>>): Promise<Record<string, unknown>> => {
  if (r.inline) return r.inline;
  await waitFor(() => calls.some((c) => c.path === r.responseUrl));
  return calls.find((c) => c.path === r.responseUrl)!.body;
};
const text = (body: Record<string, unknown>): string => JSON.stringify(body.blocks ?? '');

/** Presses "Show failed rows" (value: a quarantine URI) on a message, as Slack posts it; the bot's reply. */
async function pressShowFailedRows(value: string, ts: string): Promise<FakeSlack['calls'][number]> {
  const before = calls.length;
  const body = showFailedRowsPress(value, ts, `${slackUrl}/response/button`);
  const r = await fetch(botUrl('/slack/events'), {
    method: 'POST',
    headers: slackSignature(SECRET, body),
    body,
  });
  expect(r.status).toBe(200);
  await waitFor(() => calls.slice(before).some((c) => c.path === '/api/chat.postMessage'));
  return calls.slice(before).find((c) => c.path === '/api/chat.postMessage')!;
}

describe('the Slack bot against the local twin', () => {
  it('subscribes to both topics through a signed confirmation round trip', async () => {
    await waitFor(
      () =>
        twin.sns.call('ListSubscriptionsByTopic', { TopicArn: twin.topics.failure }).Subscriptions !==
          undefined &&
        (
          twin.sns.call('ListSubscriptionsByTopic', { TopicArn: twin.topics.failure }).Subscriptions as {
            SubscriptionArn: string;
          }[]
        ).every((s) => s.SubscriptionArn !== 'PendingConfirmation'),
    );
    for (const topic of [twin.topics.success, twin.topics.failure]) {
      const subs = twin.sns.call('ListSubscriptionsByTopic', { TopicArn: topic }).Subscriptions as {
        SubscriptionArn: string;
        Endpoint: string;
      }[];
      expect(subs).toEqual([
        expect.objectContaining({
          Endpoint: botUrl('/sns'),
          SubscriptionArn: expect.stringContaining(topic),
        }),
      ]);
    }
  });

  it('posts a successful load to the data channel, with the details and sample rows in the thread, escaped', async () => {
    const c = clients(twin.endpoint, twin.region);
    // A key may hold what Slack would read as a mention: it must stay text everywhere.
    const key = 'input_data/bot/<!channel>defects.csv';
    const before = calls.length;
    const etag = await drop(c, twin.bucket, key, readFileSync('data/defects/movies_2024_q2.csv'), {
      actor: '<!channel>',
      repository: 'acme/movies-data',
      'pull-request': '42',
      commit: 'abcdef1234567890',
    });
    await finishedExecution(c, twin.stateMachineArn, key, etag);
    await waitFor(() => calls.slice(before).filter((x) => x.path === '/api/chat.postMessage').length >= 2);
    const [message, thread] = calls.slice(before).filter((x) => x.path === '/api/chat.postMessage');
    expect(message!.body).toMatchObject({ channel: 'C0DATA123' });
    expect(text(message!.body)).toContain(
      'input_data/bot/&lt;!channel&gt;defects.csv* loaded, with rows quarantined',
    );
    expect(message!.body.text).toBe(
      'PARTIAL: input_data/bot/&lt;!channel&gt;defects.csv loaded, with rows quarantined',
    );
    expect(text(message!.body)).toContain('dropped by *&lt;!channel&gt;*');
    expect(JSON.stringify(message!.body)).not.toContain('<!channel>');
    expect(text(message!.body)).toMatch(
      /<https:\/\/s3\.console\.aws\.amazon\.com\/s3\/buckets\/movies-gds\?prefix=bad_data%2F[\w-]+%2Frows%2F\|quarantine s3:\/\/movies-gds\/bad_data\/[\w-]+\/rows\/bad\.csv>/,
    );
    expect(text(message!.body)).toContain(
      '<https://github.com/acme/movies-data/pull/42|acme/movies-data#42>',
    );
    expect(thread!.body).toMatchObject({ channel: 'C0DATA123', thread_ts: expect.any(String) });
    expect(text(thread!.body)).toContain('Failed rules');
    // A few of the quarantined rows themselves, with why each failed.
    expect(text(thread!.body)).toContain('Sample failed rows');
    expect(text(thread!.body)).toContain('release_year is not a four-digit year');
  }, 60_000);

  it('shows the first quarantined rows in the thread when "Show failed rows" is pressed', async () => {
    const alert = calls.find(
      (c) =>
        c.path === '/api/chat.postMessage' &&
        JSON.stringify(c.body.blocks ?? '').includes('show_failed_rows'),
    )!;
    const button = (
      alert.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === 'actions')!.elements![0]!;
    expect(button.value).toMatch(/^s3:\/\/movies-gds\/bad_data\/.+\/rows\/bad\.csv$/);
    expect(button.action_id).toBe('show_failed_rows');
    const reply = await pressShowFailedRows(button.value, '1700000000.000100');
    expect(reply.body).toMatchObject({ channel: 'C0DATA123', thread_ts: '1700000000.000100' });
    expect(text(reply.body)).toContain('quarantined rows');
    expect(text(reply.body)).toContain('release_year is not a four-digit year');
  }, 30_000);

  it('shows the rows of a quarantine the Glue job wrote, as it shows the twin’s', async () => {
    // The object the Python writer makes on AWS, with the rule outcomes the twin recorded.
    const twinBad = calls.find((c) => JSON.stringify(c.body.blocks ?? '').includes('show_failed_rows'))!;
    const uri = (twinBad.body.blocks as { type: string; elements?: { value: string }[] }[]).find(
      (b) => b.type === 'actions',
    )!.elements![0]!.value;
    const c = clients(twin.endpoint, twin.region);
    const twinKey = uri.slice('s3://movies-gds/'.length);
    const recorded = await c.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: twinKey }));
    const outcomes = ruleOutcomesOf(Buffer.from(await recorded.Body!.transformToByteArray()));
    const gates = new Evaluation(pipelineRuleset(), { columns: [] }).rules
      .filter((r) => r.tolerance)
      .map((r) => r.description);
    const glueKey = 'bad_data/jr_glue_run/rows/bad.csv';
    await c.s3.send(
      new PutObjectCommand({
        Bucket: twin.bucket,
        Key: glueKey,
        Body: pythonQuarantine('data/defects/movies_2024_q2.csv', outcomes, gates).bytes,
      }),
    );
    const reply = await pressShowFailedRows(`s3://${twin.bucket}/${glueKey}`, '1700000000.000200');
    expect(reply.body).toMatchObject({ channel: 'C0DATA123', thread_ts: '1700000000.000200' });
    expect(text(reply.body)).toContain('quarantined rows');
    expect(text(reply.body)).toContain('release_year is not a four-digit year');
  }, 30_000);

  it('posts a rejected batch to the alert channel', async () => {
    const c = clients(twin.endpoint, twin.region);
    const key = 'input_data/bot/rejected.csv';
    const before = calls.length;
    const etag = await drop(c, twin.bucket, key, readFileSync('data/rejected/movies_2024_q3.csv'));
    await finishedExecution(c, twin.stateMachineArn, key, etag);
    await waitFor(() => calls.slice(before).some((x) => x.path === '/api/chat.postMessage'));
    const message = calls.slice(before).find((x) => x.path === '/api/chat.postMessage')!;
    expect(message.body).toMatchObject({ channel: 'C0ALERTS1' });
    expect(text(message.body)).toContain('rejected by a data-quality gate');
  }, 60_000);

  it('answers /movies top-rated from the warehouse through the response URL', async () => {
    const r = await slash('top-rated 3');
    expect(r.status).toBe(200);
    const body = await answerOf(r);
    expect(body.response_type).toBe('in_channel');
    expect(text(body)).toContain('Top 3 films by weighted rating');
    const rows = (text(body).match(/\\n/g) ?? []).length;
    expect(rows).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('answers a question already answered in the acknowledgment itself (from the cache)', async () => {
    await answerOf(await slash('top-rated 4'));
    const again = await slash('top-rated 4');
    expect(again.inline).toMatchObject({ response_type: 'in_channel', text: 'Top rated films' });
    expect(text(again.inline!)).toContain('Top 4 films by weighted rating');
  }, 30_000);

  it('answers genres and trends, and explains unknown input with ephemeral help', async () => {
    expect(text(await answerOf(await slash('genres')))).toContain('avg_rating');
    expect(text(await answerOf(await slash('trends 1940-1960')))).toContain('Films per year 1940-1960');
    const bad = await answerOf(await slash('drop tables'));
    expect(bad.response_type).toBe('ephemeral');
    expect(text(bad)).toContain('I do not know \\"drop\\"');
    const sql = await answerOf(await slash("genre x' OR '1'='1"));
    expect(text(sql)).toContain('No films in genre');
  }, 30_000);

  it('posts /movies trends as a PNG chart in the channel with the file upload API', async () => {
    const before = calls.length;
    const r = await slash('trends');
    const answer = await answerOf(r);
    expect(text(answer)).toContain('Films per year');
    expect(text(answer)).not.toContain('could not be posted');
    const mine = calls.slice(before);
    const asked = mine.find((c) => c.path === '/api/files.getUploadURLExternal')!;
    expect(asked.body).toMatchObject({ filename: 'movies-trends.png' });
    const upload = mine.find((c) => c.path.startsWith('/upload/'))!;
    const bytes = upload.body.bytes as Buffer;
    expect(bytes.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(Number(asked.body.length)).toBeGreaterThan(10_000);
    const done = mine.find((c) => c.path === '/api/files.completeUploadExternal')!;
    expect(done.body).toMatchObject({ channel_id: 'C0DATA123' });
    expect(JSON.parse(String(done.body.files))).toEqual([
      { id: upload.path.slice('/upload/'.length), title: 'Films per year and their average IMDb rating' },
    ]);
    // The chart goes first, so the table can say when Slack refused it.
    const answered = r.inline ? r.at : calls.find((c) => c.path === r.responseUrl)!.at;
    expect(done.at).toBeLessThan(answered);
  }, 30_000);

  it('still answers trends when Slack refuses the chart, and says why', async () => {
    slack.failures.set('files.completeUploadExternal', 'not_in_channel');
    try {
      const answer = await answerOf(await slash('trends 1940-2020'));
      expect(answer.response_type).toBe('in_channel');
      expect(text(answer)).toContain('Films per year 1940-2020');
      expect(text(answer)).toContain('invite the bot to this channel to get charts');
    } finally {
      slack.failures.clear();
    }
  }, 30_000);

  it('refuses unsigned, badly signed and stale requests with 401, running nothing', async () => {
    const before = calls.length;
    expect((await slash('top-rated', { secret: 'wrong' })).status).toBe(401);
    expect((await slash('top-rated', { age: 6 * 60 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.length).toBe(before);
  });

  it('rejects SNS messages that are forged, from another topic, or signed by a stranger', async () => {
    const [last] = twin.sns.messages(twin.topics.success).slice(-1);
    expect(last).toBeDefined();
    const post = (body: object): Promise<Response> =>
      fetch(botUrl('/sns'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(body),
      });
    const forged = {
      Type: 'Notification',
      MessageId: 'forged-1',
      TopicArn: twin.topics.success,
      Message: '{"version":1}',
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      Signature: 'AAAA',
      SigningCertURL: twin.sns.certificateUrl,
    };
    const r1 = await post(forged);
    expect(r1.status).toBe(403);
    expect(await r1.text()).toBe('The signature does not match the message.');
    const r2 = await post({ ...forged, TopicArn: 'arn:aws:sns:us-east-1:000000000000:someone-else' });
    expect(await r2.text()).toBe(
      'Messages from arn:aws:sns:us-east-1:000000000000:someone-else are not accepted.',
    );
    const r3 = await post({ ...forged, SigningCertURL: 'https://evil.example.com/cert.pem' });
    expect(await r3.text()).toBe(
      'The signing certificate is not from SNS: https://evil.example.com/cert.pem',
    );
  });
});

describe('SNS verification', () => {
  it('accepts a message once at a time, again only if handling it failed, and never a stale one', async () => {
    const { certificatePem, privateKeyPem } = selfSignedCertificate('sns.us-east-1.amazonaws.com');
    const topic = 'arn:aws:sns:us-east-1:123456789012:movies-pipeline-success';
    const verifier = new SnsVerifier({
      region: 'us-east-1',
      topicArns: [topic],
      trustedCertificateUrl: 'http://127.0.0.1:1/cert.pem',
      fetchText: async () => certificatePem,
      now: () => Date.parse('2026-11-26T06:30:00.000Z'),
    });
    const sign = (fields: Record<string, string>): string =>
      JSON.stringify({
        ...fields,
        Signature: createSign('RSA-SHA256').update(snsStringToSign(fields)).sign(privateKeyPem, 'base64'),
      });
    const m: Record<string, string> = {
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: topic,
      Message: 'hello',
      Timestamp: '2026-11-26T06:00:00.000Z',
      SignatureVersion: '2',
      SigningCertURL: 'http://127.0.0.1:1/cert.pem',
    };
    m.Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(privateKeyPem, 'base64');
    expect(await verifier.verify(JSON.stringify(m))).toMatchObject({ MessageId: 'm-1' });
    // A redelivery while the first is being handled is not handled twice.
    expect(await verifier.verify(JSON.stringify(m))).toBeNull();
    // Handling failed (Slack was down, say): SNS's retry is let through.
    verifier.failed('m-1');
    expect(await verifier.verify(JSON.stringify(m))).toMatchObject({ MessageId: 'm-1' });
    verifier.handled('m-1');
    expect(await verifier.verify(JSON.stringify(m))).toBeNull();
    await expect(
      verifier.verify(sign({ ...m, MessageId: 'm-2', Timestamp: '2026-11-26T05:00:00.000Z' })),
    ).rejects.toThrow('The message is too old to accept (signed at 2026-11-26T05:00:00.000Z).');
    await expect(verifier.verify(JSON.stringify({ ...m, SignatureVersion: '1' }))).rejects.toThrow(
      'Only SignatureVersion 2 (SHA256) is accepted.',
    );
    await expect(verifier.verify('not json')).rejects.toThrow('The body is not an SNS message (not JSON).');
  });
});

describe('configuration', () => {
  it('names every missing or wrong variable, one line each', () => {
    expect(() => readBotConfig({ SLACK_BOT_TOKEN: 'abc', MOVIES_DATA_CHANNEL: 'not a channel!' })).toThrow(
      [
        'The bot is not configured:',
        "  - SLACK_SIGNING_SECRET is missing: the Slack app's signing secret (Basic Information → App Credentials).",
        '  - SLACK_BOT_TOKEN must be a bot token starting with xoxb-.',
        '  - MOVIES_ALERT_CHANNEL is missing: the channel for failure alerts.',
        '  - MOVIES_DATA_CHANNEL is not a channel id or name: "not a channel!".',
      ].join('\n'),
    );
  });
});
