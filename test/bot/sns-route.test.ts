/**
 * POST /sns on the running bot, with a logger that records: every refusal answered and logged with
 * its reason, at most one line per reason a minute; notifications through the shared core.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LogLevel } from '@slack/bolt';
import { createSign } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slackClient } from '../../bot/app.ts';
import { readBotConfig } from '../../bot/config.ts';
import { startBot, type RunningBot } from '../../bot/server.ts';
import { snsStringToSign } from '../../contract/sns-signature.ts';
import { selfSignedCertificate } from '../../local-aws/certificate.ts';
import { startFakeSlack, type FakeSlack } from './fake-slack.ts';
import { recordingLogger } from './recording-logger.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:movies-pipeline-success';
const { certificatePem, privateKeyPem } = selfSignedCertificate('sns.us-east-1.amazonaws.com');
const logger = recordingLogger();
let certificates: Server;
let certificateUrl: string;
let bot: RunningBot;

beforeAll(async () => {
  certificates = createServer((_req, res) => void res.end(certificatePem));
  await new Promise<void>((r) => certificates.listen(0, '127.0.0.1', r));
  certificateUrl = `http://127.0.0.1:${(certificates.address() as AddressInfo).port}/cert.pem`;
  bot = await startBot(readBotConfig(env()), { logger });
});
afterAll(async () => {
  await bot?.stop();
  await new Promise((r) => certificates?.close(r));
});

let id = 0;
/**
 * A notification with `fields`, signed with `key` for the certificate at `url`, with `tamper`
 * changed after signing (a forgery).
 */
function signedBy(
  key: string,
  url: string,
  fields: Record<string, string> = {},
  tamper: Record<string, string> = {},
): string {
  const m: Record<string, string> = {
    Type: 'Notification',
    MessageId: `m-${++id}`,
    TopicArn: TOPIC,
    Message: 'hello',
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    SigningCertURL: url,
    ...fields,
  };
  m.Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(key, 'base64');
  return JSON.stringify({ ...m, ...tamper });
}

/** A notification signed with the trusted certificate, with `fields` changed after signing if `tamper`. */
const signed = (fields: Record<string, string> = {}, tamper: Record<string, string> = {}): string =>
  signedBy(privateKeyPem, certificateUrl, fields, tamper);

const post = async (body: string): Promise<[number, string]> => {
  const r = await fetch(`http://127.0.0.1:${bot.port}/sns`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body,
  });
  return [r.status, await r.text()];
};
/** POSTs `total` bytes to /sns, 64 KiB every 20 ms, stopping once answered: the answer, and how much was sent by then. */
function slowUpload(
  total: number,
  announced: boolean,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: bot.port,
      path: '/sns',
      method: 'POST',
      headers: announced ? { 'content-length': String(total) } : {},
    });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const at = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, sent: at }));
      res.on('error', reject);
    });
    // The server closes the connection once it has answered: a write after that may fail.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const next = (): void => {
      if (answered) return void req.destroy();
      if (sent >= total) return void req.end();
      req.write(Buffer.alloc(64 * 1024, 'x'));
      sent += 64 * 1024;
      setTimeout(next, 20);
    };
    next();
  });
}
/** The warnings logged since `since`, the caller's address left out. */
const warnings = (since = 0): string[] =>
  logger
    .at(LogLevel.WARN)
    .slice(since)
    .map((l) => l.replace(/^SNS message from \S+ refused/, 'SNS message from <address> refused'));

describe('POST /sns', () => {
  it('answers every refusal as before and logs each with its reason', async () => {
    const before = logger.at(LogLevel.WARN).length;
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
    expect(await post('not json')).toEqual([403, 'The body is not an SNS message (not JSON).']);
    expect(await post('{}')).toEqual([403, 'The body is not a signed SNS message.']);
    expect(await post(signed({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-else' }))).toEqual([
      403,
      'Messages from arn:aws:sns:us-east-1:123456789012:someone-else are not accepted.',
    ]);
    expect(await post(signed({ SignatureVersion: '1' }))).toEqual([
      403,
      'Only SignatureVersion 2 (SHA256) is accepted.',
    ]);
    expect(await post(signed({ SigningCertURL: 'https://evil.example.com/cert.pem' }))).toEqual([
      403,
      'The signing certificate is not from SNS: https://evil.example.com/cert.pem',
    ]);
    expect(await post(signed({}, { Message: 'forged' }))).toEqual([
      403,
      'The signature does not match the message.',
    ]);
    expect(await post(signed({ Timestamp: twoHoursAgo }))).toEqual([
      403,
      `The message is too old to accept (signed at ${twoHoursAgo}).`,
    ]);
    expect(await post('x'.repeat(600 * 1024))).toEqual([413, 'The body is too large to be an SNS message.']);
    expect(warnings(before)).toEqual([
      'SNS message from <address> refused (not-json): The body is not an SNS message (not JSON).',
      'SNS message from <address> refused (unsigned): The body is not a signed SNS message.',
      'SNS message from <address> refused (topic): Messages from arn:aws:sns:us-east-1:123456789012:someone-else are not accepted.',
      'SNS message from <address> refused (signature-version): Only SignatureVersion 2 (SHA256) is accepted.',
      'SNS message from <address> refused (certificate-url): The signing certificate is not from SNS: https://evil.example.com/cert.pem',
      'SNS message from <address> refused (signature): The signature does not match the message.',
      `SNS message from <address> refused (too-old): The message is too old to accept (signed at ${twoHoursAgo}).`,
      'SNS message from <address> refused (too-large): The body is too large to be an SNS message.',
    ]);
    expect(logger.at(LogLevel.WARN)[before]).toMatch(/^SNS message from \S*127\.0\.0\.1 refused/);
  });

  it('answers a body too large 413 before it has been sent, announced or not, and reads no more of it', async () => {
    const before = logger.at(LogLevel.WARN).length;
    // 2 MiB, 64 KiB at a time, slowly: the answer must come while most of it is still unsent.
    const total = 2 * 1024 * 1024;
    for (const announced of [true, false]) {
      const { status, body, sent } = await slowUpload(total, announced);
      expect([status, body]).toEqual([413, 'The body is too large to be an SNS message.']);
      expect(sent).toBeLessThan(total / 2);
    }
    // Logged at most once a minute.
    expect(warnings(before).length).toBeLessThanOrEqual(1);
  });

  it('logs a flood of one kind once a minute, answering each', async () => {
    const before = logger.at(LogLevel.WARN).length;
    for (let i = 0; i < 5; i++)
      expect(await post(signed({}, { Message: `forged ${i}` }))).toEqual([
        403,
        'The signature does not match the message.',
      ]);
    // The previous test's line for this reason was under a minute ago.
    expect(warnings(before)).toEqual([]);
  });

  it('skips a notification that is not an outcome, saying why, and its redelivery', async () => {
    const before = logger.at(LogLevel.WARN).length;
    const message = signed();
    const { MessageId } = JSON.parse(message) as { MessageId: string };
    expect(await post(message)).toEqual([200, 'Ignored: not a pipeline outcome.']);
    expect(await post(message)).toEqual([200, 'Already handled.']);
    expect(warnings(before)).toEqual([
      `SNS message ${MessageId} is not a pipeline outcome: The pipeline outcome is not JSON.`,
    ]);
  });

  it('skips an outcome that would not render, rather than failing every redelivery', async () => {
    const before = logger.at(LogLevel.WARN).length;
    const outcome = {
      version: 1,
      status: 'FAILED',
      source: { bucket: 'b', key: 'k' },
      execution: { arn: 'a' },
    };
    const message = signed({ Message: JSON.stringify(outcome) });
    const { MessageId } = JSON.parse(message) as { MessageId: string };
    expect(await post(message)).toEqual([200, 'Ignored: not a pipeline outcome.']);
    expect(warnings(before)).toEqual([
      `SNS message ${MessageId} is not a pipeline outcome: The pipeline outcome's execution.name is missing.`,
    ]);
  });

  it('refuses a signed message whose fields are not strings, without claiming its MessageId', async () => {
    const message = signed();
    const m = JSON.parse(message) as Record<string, unknown>;
    // String(["id"]) is "id": the signature would verify, and the memory would not know the id.
    expect(await post(JSON.stringify({ ...m, MessageId: [m.MessageId] }))).toEqual([
      403,
      "The message's MessageId is not a string.",
    ]);
    expect(await post(JSON.stringify({ ...m, Type: ['Notification'] }))).toEqual([
      403,
      "The message's Type is not a string.",
    ]);
    expect(await post(JSON.stringify({ ...m, Subject: { s: 1 } }))).toEqual([
      403,
      "The message's Subject is not a string.",
    ]);
    // The genuine delivery is handled, not taken for a repeat.
    expect(await post(message)).toEqual([200, 'Ignored: not a pipeline outcome.']);
  });

  it('escapes and cuts what the sender chose before it is answered or logged', async () => {
    const forged = 'x\n[ERROR] Slack token revoked\u001b[2K';
    const [status, text] = await post(signed({ TopicArn: `arn:aws:sns:us-east-1:123456789012:${forged}` }));
    expect([status, text]).toEqual([
      403,
      'Messages from arn:aws:sns:us-east-1:123456789012:x\\n[ERROR] Slack token revoked\\u001b[2K are not accepted.',
    ]);
    const [, long] = await post(
      signed({ SigningCertURL: `https://evil.example.com/${'a'.repeat(100_000)}.pem` }),
    );
    expect(long).toMatch(
      /^The signing certificate is not from SNS: https:\/\/evil\.example\.com\/a+… \(100029 characters\)$/,
    );
    expect(long.length).toBeLessThan(300);
  });
});

/** The bot's settings for these tests, with `extra`. */
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_BOT_TOKEN: 'xoxb-test',
  MOVIES_ALERT_CHANNEL: 'C0ALERTS1',
  MOVIES_DATA_CHANNEL: 'C0DATA123',
  MOVIES_TOPIC_ARNS: TOPIC,
  MOVIES_SNS_CERTIFICATE_URL: certificateUrl,
  MOVIES_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:movies-pipeline',
  AWS_REGION: 'us-east-1',
  PORT: '0',
  ...extra,
});

describe('POST /sns when the certificate behind the trusted URL changes', () => {
  const first = selfSignedCertificate('sns.us-east-1.amazonaws.com');
  const second = selfSignedCertificate('sns.us-east-1.amazonaws.com');
  let served = first.certificatePem;
  let fetches = 0;
  let rotating: Server;
  let url: string;
  let rotatingBot: RunningBot;
  const log = recordingLogger();
  beforeAll(async () => {
    rotating = createServer((_req, res) => void (fetches++, res.end(served)));
    await new Promise<void>((r) => rotating.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(rotating.address() as AddressInfo).port}/SimpleNotificationService-local.pem`;
    rotatingBot = await startBot(readBotConfig(env({ MOVIES_SNS_CERTIFICATE_URL: url })), { logger: log });
  });
  afterAll(async () => {
    await rotatingBot?.stop();
    await new Promise((r) => rotating?.close(r));
  });
  /** A notification signed with `key` (a forgery if `tamper` changes it after signing). */
  const signedWith = (key: string, tamper: Record<string, string> = {}): string =>
    signedBy(key, url, {}, tamper);
  const postTo = async (body: string): Promise<[number, string]> => {
    const r = await fetch(`http://127.0.0.1:${rotatingBot.port}/sns`, { method: 'POST', body });
    return [r.status, await r.text()];
  };

  it('accepts the new key after one refetch, still refuses forgeries, and fetches again at most once a minute', async () => {
    const accepted: [number, string] = [200, 'Ignored: not a pipeline outcome.'];
    const refused: [number, string] = [403, 'The signature does not match the message.'];
    expect(await postTo(signedWith(first.privateKeyPem))).toEqual(accepted);
    expect(fetches).toBe(1);
    // The twin restarted with a new data directory, or SNS rotated: a new key behind the same URL.
    served = second.certificatePem;
    expect(await postTo(signedWith(second.privateKeyPem))).toEqual(accepted);
    expect(fetches).toBe(2);
    expect(await postTo(signedWith(second.privateKeyPem))).toEqual(accepted);
    for (let i = 0; i < 5; i++) {
      expect(await postTo(signedWith(second.privateKeyPem, { Message: `forged ${i}` }))).toEqual(refused);
      expect(await postTo(signedWith(first.privateKeyPem))).toEqual(refused);
    }
    expect(fetches).toBe(2);
    expect(log.at(LogLevel.WARN).filter((l) => l.includes('refused (signature)'))).toHaveLength(1);
  });
});

describe('POST /sns to a restarted bot', () => {
  let dir: string;
  let file: string;
  let slack: FakeSlack;
  const running: RunningBot[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'movies-seen-'));
    file = join(dir, 'bot', 'seen-messages');
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    // Those a test has not stopped already.
    for (const b of running) await b.stop().catch(() => undefined);
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (log = recordingLogger()): Promise<RunningBot> => {
    const b = await startBot(
      readBotConfig(env({ SLACK_API_URL: `${slack.url}/api/`, MOVIES_SEEN_MESSAGES_FILE: file })),
      { logger: log },
    );
    running.push(b);
    return b;
  };
  const postTo = async (b: RunningBot, body: string): Promise<[number, string]> => {
    const r = await fetch(`http://127.0.0.1:${b.port}/sns`, { method: 'POST', body });
    return [r.status, await r.text()];
  };
  const posts = (): number => slack.calls.filter((c) => c.path === '/api/chat.postMessage').length;
  const outcome = (): string => signed({ Message: JSON.stringify(SUCCEEDED) });

  it('does not post a message again when SNS (or anyone) replays it after a restart', async () => {
    const message = outcome();
    const first = await start();
    expect(await postTo(first, message)).toEqual([200, 'Posted.']);
    await first.stop();
    const before = posts();
    const again = await start();
    expect(await postTo(again, message)).toEqual([200, 'Already handled.']);
    expect(await postTo(again, outcome())).toEqual([200, 'Posted.']);
    expect(posts()).toBe(before + 1);
    // Only the last hour's ids are kept: all a signed message can be replayed within.
    const { version, seen } = JSON.parse(readFileSync(file, 'utf8')) as { version: number; seen: unknown[] };
    expect([version, seen]).toEqual([1, [[expect.any(String), expect.any(Number)], expect.anything()]]);
    writeFileSync(file, JSON.stringify({ version: 1, seen: [...seen, ['old', Date.now() - 2 * 3600_000]] }));
    await again.stop();
    const third = await start();
    expect(await postTo(third, message)).toEqual([200, 'Already handled.']);
    expect(await postTo(third, outcome())).toEqual([200, 'Posted.']);
    expect(JSON.stringify(JSON.parse(readFileSync(file, 'utf8')))).not.toContain('"old"');
    await third.stop();
  });

  it('ignores a corrupt file, saying so once, and replaces it', async () => {
    writeFileSync(file, '{"version":1,"seen":[["m-1",');
    const log = recordingLogger();
    const b = await start(log);
    const message = outcome();
    expect(await postTo(b, message)).toEqual([200, 'Posted.']);
    expect(await postTo(b, outcome())).toEqual([200, 'Posted.']);
    expect(log.at(LogLevel.WARN)).toEqual([
      `The handled SNS messages in ${file} are not as the bot writes them, so none are known; the file is replaced on the next one.`,
    ]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { seen: string[][] }).seen.map((e) => e[0])).toContain(
      (JSON.parse(message) as { MessageId: string }).MessageId,
    );
  });
});

const SUCCEEDED = {
  version: 1,
  status: 'SUCCEEDED',
  source: { bucket: 'movies-gds', key: 'input_data/a.csv' },
  execution: {
    arn: 'arn:aws:states:us-east-1:123456789012:execution:p:run-1',
    name: 'run-1',
    startedAt: '',
    consoleUrl: '',
  },
};

describe('POST /sns while Slack is slow', () => {
  // Slack holds the first chat.postMessage until told, then fails it; later ones succeed.
  const held: ((body: string) => void)[] = [];
  let posts = 0;
  let slow: Server;
  let slowBot: RunningBot;
  beforeAll(async () => {
    slow = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (!req.url!.includes('chat.postMessage')) return void res.end('{"ok":true}');
        if (++posts === 1) return void held.push((body) => res.end(body));
        res.end(JSON.stringify({ ok: true, ts: '1.000001', channel: 'C0DATA123' }));
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowBot = await startBot(
      readBotConfig(env({ SLACK_API_URL: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/` })),
      { logger: recordingLogger() },
    );
  });
  afterAll(async () => {
    await slowBot?.stop();
    await new Promise((r) => slow?.close(r));
  });
  const postTo = async (body: string): Promise<[number, string]> => {
    const r = await fetch(`http://127.0.0.1:${slowBot.port}/sns`, { method: 'POST', body });
    return [r.status, await r.text()];
  };

  it('answers a redelivery during the first post 503, so that SNS retries it once the first has failed', async () => {
    const message = signed({
      Message: JSON.stringify({
        version: 1,
        status: 'SUCCEEDED',
        source: { bucket: 'movies-gds', key: 'input_data/a.csv' },
        execution: {
          arn: 'arn:aws:states:us-east-1:123456789012:execution:p:run-1',
          name: 'run-1',
          startedAt: '',
          consoleUrl: '',
        },
      }),
    });
    const first = postTo(message);
    while (!held.length) await new Promise((r) => setTimeout(r, 10));
    expect(await postTo(message)).toEqual([503, 'The message is being handled; SNS will retry.']);
    held[0]!('{"ok":false,"error":"fatal_error"}');
    expect(await first).toEqual([500, 'The message could not be handled; SNS will retry.']);
    expect(await postTo(message)).toEqual([200, 'Posted.']);
    expect(await postTo(message)).toEqual([200, 'Already handled.']);
    expect(posts).toBe(2);
  });

  it("posts alerts with a client bounded well inside SNS's 15 s delivery", () => {
    const client = slackClient(readBotConfig(env())) as unknown as {
      timeout: number;
      retryConfig: { retries: number; maxTimeout: number };
      rejectRateLimitedCalls: boolean;
    };
    expect(client.timeout).toBe(5000);
    expect(client.retryConfig).toMatchObject({ retries: 1, maxTimeout: 500 });
    expect(client.rejectRateLimitedCalls).toBe(true);
  });
});
