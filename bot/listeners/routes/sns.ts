/** POST /sns: pipeline outcomes from SNS, verified, then posted to Slack (one message, details in its thread). */
import type { App } from '@slack/bolt';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfirmSubscriptionCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseOutcome } from '../../../contract/outcome.ts';
import type { BotConfig } from '../../config.ts';
import { changesViews, postOutcome } from '../../post-alert.ts';
import { SnsRejected, type SnsEnvelope, type SnsVerifier } from '../../sns-verify.ts';

export interface SnsRouteDeps {
  readonly config: BotConfig;
  /** Posts the alerts. */
  readonly slack: App['client'];
  readonly verifier: SnsVerifier;
  readonly sns: SNSClient;
  /** Reads a few quarantined rows for the alert's thread. */
  readonly s3: S3Client;
  /** Called after a successful load: the views changed. */
  readonly onViewsChanged: () => void;
}

const MAX_BODY = 512 * 1024;

export function snsRoute(app: App, deps: SnsRouteDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, text: string): void =>
      void res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes <= MAX_BODY) chunks.push(d);
    });
    req.on('end', () => {
      // SNS messages are at most 256 KiB: anything much larger is not one.
      if (bytes > MAX_BODY) return reply(413, 'The body is too large to be an SNS message.');
      handle(Buffer.concat(chunks).toString('utf8')).then(
        (text) => reply(200, text),
        (err: unknown) => {
          if (err instanceof SnsRejected) return reply(403, err.message);
          app.logger.error(`SNS message not handled: ${(err as Error).message}`);
          reply(500, 'The message could not be handled; SNS will retry.');
        },
      );
    });
  };

  async function handle(body: string): Promise<string> {
    const m = await deps.verifier.verify(body);
    if (!m) return 'Already handled.';
    try {
      const reply = await act(m);
      deps.verifier.handled(m.MessageId);
      return reply;
    } catch (err) {
      // Not handled: SNS's retry of this message must get through.
      deps.verifier.failed(m.MessageId);
      throw err;
    }
  }

  async function act(m: SnsEnvelope): Promise<string> {
    if (m.Type === 'SubscriptionConfirmation') {
      // Confirmed through the API with the token; the SubscribeURL in the message is never fetched.
      await deps.sns.send(new ConfirmSubscriptionCommand({ TopicArn: m.TopicArn, Token: m.Token! }));
      return 'Subscribed.';
    }
    if (m.Type !== 'Notification') return 'Ignored.';
    let outcome;
    try {
      outcome = parseOutcome(m.Message);
    } catch (err) {
      // Retrying cannot make it an outcome: answered 200, so SNS does not try again.
      app.logger.warn(`SNS message ${m.MessageId} is not a pipeline outcome: ${(err as Error).message}`);
      return 'Ignored: not a pipeline outcome.';
    }
    await postOutcome(deps.slack, deps.config, outcome, deps.s3);
    if (changesViews(outcome)) deps.onViewsChanged();
    return 'Posted.';
  }
}
