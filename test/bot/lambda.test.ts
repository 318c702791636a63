import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../bot/lambda.ts';
import type { DeferredCommand } from '../../bot/listeners/commands/movies.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, drop, finishedExecution } from '../local-aws/twin-client.ts';
import { slackSignature, startFakeSlack, type FakeSlack } from './fake-slack.ts';

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
  const handler = createHandler({
    secrets: async () => ({ signingSecret: SECRET, botToken: 'xoxb-lambda' }),
    invokeSelf: async (e) => void deferred.push(e),
  });

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
