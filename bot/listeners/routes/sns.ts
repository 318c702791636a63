/** POST /sns: pipeline outcomes from SNS, verified, then posted to Slack (one message, details in its thread). */
import type { App } from '@slack/bolt';
import { ConfirmSubscriptionCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseOutcome } from '../../../infra/pipeline/outcome.ts';
import type { BotConfig } from '../../config.ts';
import { changesViews, postOutcome } from '../../post-alert.ts';
import { SnsRejected, type SnsVerifier } from '../../sns-verify.ts';

export interface SnsRouteDeps {
  readonly config: BotConfig;
  readonly verifier: SnsVerifier;
  readonly sns: SNSClient;
  /** Called after a successful load: the views changed. */
  readonly onViewsChanged: () => void;
}

const MAX_BODY = 512 * 1024;

export function snsRoute(app: App, deps: SnsRouteDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, text: string): void =>
      void res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      handle(body).then(
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
    if (m.Type === 'SubscriptionConfirmation') {
      // Confirmed through the API with the token; the SubscribeURL in the message is never fetched.
      await deps.sns.send(new ConfirmSubscriptionCommand({ TopicArn: m.TopicArn, Token: m.Token! }));
      return 'Subscribed.';
    }
    if (m.Type !== 'Notification') return 'Ignored.';
    const outcome = parseOutcome(m.Message);
    await postOutcome(app.client, deps.config, outcome);
    if (changesViews(outcome)) deps.onViewsChanged();
    return 'Posted.';
  }
}
