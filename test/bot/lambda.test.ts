import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LogLevel } from '@slack/bolt';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../bot/lambda.ts';
import type { DeferredCommand } from '../../bot/listeners/commands/movies.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, drop, finishedExecution } from '../local-aws/twin-client.ts';
import { slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';
import { recordingLogger } from './recording-logger.ts';

const SECRET = 'lambda-signing-secret';
let root: string;
let twin: Twin;
let slack: FakeSlack;
let slackUrl: string;
let calls: FakeSlack['calls'] = [];
const saved = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-lambda-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  slack = await startFakeSlack();
  slackUrl = slack.url;
  calls = slack.calls;
  Object.assign(process.env, {
    ...twin.env,
    SLACK_API_URL: `${slackUrl}/api/`,
    MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
    MOVIES_DATA_CHANNEL: 'C0DATA123',
    MOVIES_TOPIC_ARNS: `${twin.topics.success},${twin.topics.failure}`,
    MOVIES_STATE_MACHINE_ARN: twin.stateMachineArn,
  });
  const c = clients(twin.endpoint, twin.region);
  const etag = await drop(
    c,
    twin.bucket,
    'input_data/lambda/clean.csv',
    readFileSync('data/clean/movies_2024_q1.csv'),
  );
  await finishedExecution(c, twin.stateMachineArn, 'input_data/lambda/clean.csv', etag);
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await twin?.stop();
  await slack?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the bot on Lambda', () => {
  const deferred: DeferredCommand[] = [];
  const logger = recordingLogger();
  const handler = createHandler({
    secrets: async () => ({ signingSecret: SECRET, botToken: 'xoxb-lambda' }),
    invokeSelf: async (e) => void deferred.push(e),
    logger,
  });
  const record = (MessageId: string, Message: string, TopicArn = twin.topics.success) => ({
    Records: [{ EventSource: 'aws:sns', Sns: { TopicArn, Message, MessageId } }],
  });
  const posts = (since: number): number =>
    calls.slice(since).filter((c) => c.path === '/api/chat.postMessage').length;

  it('posts SNS outcomes from allowed topics and ignores others', async () => {
    const message = twin.sns.messages(twin.topics.success).at(-1)!;
    const before = calls.length;
    await handler(
      {
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: { TopicArn: twin.topics.success, Message: message.Message, MessageId: message.MessageId },
          },
        ],
      },
      {},
    );
    // An alert is one call: posting needs no auth.test.
    expect(calls.slice(before).map((c) => [c.path, c.body.channel])).toEqual([
      ['/api/chat.postMessage', 'C0DATA123'],
    ]);
    const after = calls.length;
    await handler(
      {
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: {
              TopicArn: 'arn:aws:sns:us-east-1:000000000000:elsewhere',
              Message: message.Message,
              MessageId: 'x',
            },
          },
        ],
      },
      {},
    );
    expect(calls.length).toBe(after);
    expect(logger.at(LogLevel.WARN)).toContain(
      'Ignored SNS message x from arn:aws:sns:us-east-1:000000000000:elsewhere: not an allowed topic.',
    );
  });

  it('logs and skips what is not an outcome, and a message it has posted already, without failing', async () => {
    const message = twin.sns.messages(twin.topics.success).at(-1)!;
    const before = calls.length;
    const warned = logger.at(LogLevel.WARN).length;
    expect(await handler(record('lambda-not-outcome', 'hello'), {})).toEqual({ ok: true });
    expect(await handler(record('lambda-once', message.Message), {})).toEqual({ ok: true });
    expect(await handler(record('lambda-once', message.Message), {})).toEqual({ ok: true });
    expect(posts(before)).toBe(1);
    expect(logger.at(LogLevel.WARN).slice(warned)).toEqual([
      'SNS message lambda-not-outcome is not a pipeline outcome: The pipeline outcome is not JSON.',
    ]);
  });

  it('fails the invocation when Slack does not take the alert, so that Lambda retries it, and the retry posts it', async () => {
    const message = twin.sns.messages(twin.topics.success).at(-1)!;
    slack.failures.set('chat.postMessage', 'internal_error');
    try {
      await expect(handler(record('lambda-retried', message.Message), {})).rejects.toThrow(
        '1 of 1 SNS messages were not posted; Lambda retries them.',
      );
    } finally {
      slack.failures.clear();
    }
    expect(logger.at(LogLevel.ERROR).at(-1)).toMatch(
      /^SNS message lambda-retried not handled: .*internal_error/,
    );
    const before = calls.length;
    expect(await handler(record('lambda-retried', message.Message), {})).toEqual({ ok: true });
    expect(posts(before)).toBe(1);
  });

  it('acks /movies at once and answers from a second invocation through the response URL', async () => {
    const body = new URLSearchParams({
      command: '/movies',
      text: 'top-rated 2',
      response_url: `${slackUrl}/response/lambda`,
      channel_id: 'C0DATA123',
      user_id: 'U0USER001',
      team_id: 'T0TEAM001',
    }).toString();
    // The slash command as it reaches the Function URL.
    const request = {
      version: '2.0',
      rawPath: '/slack/events',
      headers: slackSignature(SECRET, body),
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    };
    const first = (await handler(request, {})) as { statusCode: number };
    expect(first.statusCode).toBe(200);
    expect(deferred).toEqual([
      {
        kind: 'movies-command',
        text: 'top-rated 2',
        responseUrl: `${slackUrl}/response/lambda`,
        channelId: 'C0DATA123',
        userId: 'U0USER001',
      },
    ]);
    expect(calls.some((c) => c.path === '/response/lambda')).toBe(false);
    await handler(deferred[0]!, {});
    const answer = calls.find((c) => c.path === '/response/lambda')!.body;
    expect(answer.response_type).toBe('in_channel');
    expect(JSON.stringify(answer.blocks)).toContain('Top 2 films by weighted rating');
    // The token was checked once, for the first request Slack sent, not once per request.
    await handler(request, {});
    expect(calls.filter((c) => c.path === '/api/auth.test')).toHaveLength(1);
  });

  it('refuses a badly signed request', async () => {
    const r = (await handler(
      {
        version: '2.0',
        rawPath: '/slack/events',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-slack-signature': 'v0=bad',
        },
        body: 'command=/movies',
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST' } },
      },
      {},
    )) as { statusCode: number };
    expect(r.statusCode).toBe(401);
  });
});
