import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../bot/lambda.ts';
import type { DeferredCommand } from '../../bot/listeners/commands/movies.ts';
import { startTwin, type Twin } from '../../infra/local/twin.ts';
import { clients, drop, finishedExecution } from '../e2e/twin-client.ts';

const SECRET = 'lambda-signing-secret';
let root: string;
let twin: Twin;
let slack: Server;
let slackUrl: string;
const calls: { path: string; body: Record<string, unknown> }[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-lambda-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  slack = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const body = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(text || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(text));
      calls.push({ path: req.url!, body });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, ts: `${Date.now()}.0001` }));
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    ...twin.env,
    SLACK_API_URL: `${slackUrl}/api/`,
    MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
    MOVIES_DATA_CHANNEL: 'C0DATA123',
    MOVIES_TOPIC_ARNS: `${twin.topics.success},${twin.topics.failure}`,
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
  await new Promise((r) => slack?.close(r));
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
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const first = (await handler(
      {
        version: '2.0',
        rawPath: '/slack/events',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signature,
        },
        body,
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST' } },
      },
      {},
    )) as { statusCode: number };
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
