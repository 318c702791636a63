import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { X509Certificate, createVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { parseOutcome } from '../../contract/outcome.ts';
import { snsStringToSign } from '../../contract/sns-signature.ts';
import { clients, drop, finishedExecution } from './twin-client.ts';

let dir: string;
let twin: Twin;
let subscriber: Server;
let subscriberUrl: string;
const received: { headers: Record<string, unknown>; body: Record<string, string> }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'movies-sns-'));
  twin = await startTwin({ dataDir: dir, port: 0 });
  // A subscriber at the edge of the machine: it only records what SNS posts.
  subscriber = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, string> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => subscriber.listen(0, '127.0.0.1', r));
  subscriberUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/sns`;
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  await new Promise((r) => subscriber?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function verified(body: Record<string, string>): Promise<boolean> {
  const pem = await (await fetch(body.SigningCertURL!)).text();
  const cert = new X509Certificate(pem);
  return (
    body.SignatureVersion === '2' &&
    createVerify('RSA-SHA256').update(snsStringToSign(body)).verify(cert.publicKey, body.Signature!, 'base64')
  );
}

const waitFor = async (pred: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('SNS on the local twin', () => {
  it('confirms an HTTP subscription with a signed round trip, then delivers signed outcomes', async () => {
    const sns = new SNSClient({
      endpoint: twin.endpoint,
      region: twin.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sub = await sns.send(
      new SubscribeCommand({ TopicArn: twin.topics.success, Protocol: 'http', Endpoint: subscriberUrl }),
    );
    expect(sub.SubscriptionArn).toBe('pending confirmation');
    await waitFor(() => received.length > 0);
    const confirmation = received[0]!;
    expect(confirmation.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    expect(await verified(confirmation.body)).toBe(true);
    expect(new X509Certificate(await (await fetch(confirmation.body.SigningCertURL!)).text()).subject).toBe(
      'CN=sns.us-east-1.amazonaws.com',
    );
    // A tampered message does not verify.
    expect(await verified({ ...confirmation.body, Message: `${confirmation.body.Message}!` })).toBe(false);

    const confirmed = await (await fetch(confirmation.body.SubscribeURL!)).text();
    expect(confirmed).toMatch(
      /<ConfirmSubscriptionResponse .*<SubscriptionArn>arn:aws:sns:us-east-1:000000000000:movies-pipeline-success:[0-9a-f-]+<\/SubscriptionArn>/s,
    );
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: twin.topics.success }));
    expect(
      subs.Subscriptions?.map((s) => [s.Endpoint, s.SubscriptionArn?.startsWith(twin.topics.success)]),
    ).toEqual([[subscriberUrl, true]]);

    const c = clients(twin.endpoint, twin.region);
    const key = 'input_data/sns/clean.csv';
    const etag = await drop(c, twin.bucket, key, readFileSync('data/clean/movies_2024_q1.csv'));
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    await waitFor(() => received.length > 1);
    const note = received[1]!;
    expect(note.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(note.body.TopicArn).toBe(twin.topics.success);
    expect(await verified(note.body)).toBe(true);
    expect(parseOutcome(note.body.Message!)).toMatchObject({
      status: 'SUCCEEDED',
      execution: { arn: run.executionArn },
    });
  }, 90_000);
});
