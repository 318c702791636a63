/**
 * POST /sns: SNS over HTTP. The message is verified (refusals answered 403 or 413, and logged with
 * their reason, at most a line a minute for each); a subscription is confirmed; a notification
 * goes to the core that Lambda's SNS trigger uses too (handle-notification.ts). A repeat of a
 * message still being posted is answered 503, so SNS retries it if the first post fails. The ids
 * handled are kept in config.seenMessagesFile when set, so a replay after a restart is not posted.
 */
import type { App } from '@slack/bolt';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfirmSubscriptionCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BotConfig } from '../../config.ts';
import { handleNotification, type Handled, type NotificationDeps } from '../../handle-notification.ts';
import { logSafe } from '../../log-safe.ts';
import { IN_PROGRESS, MessageMemory, REPEATED } from '../../message-memory.ts';
import { postOutcome } from '../../post-alert.ts';
import { RateLimitedLog } from '../../rate-limited-log.ts';
import { seenMessagesFile } from '../../seen-messages-file.ts';
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
/** A redelivery while the first is still being handled: that one may fail, so SNS must try again later. */
const BUSY = 'The message is being handled; SNS will retry.';

/** What SNS is answered, 200 each: retrying would not change any of them. */
const ANSWERS: Record<Exclude<Handled, 'in-progress'>, string> = {
  posted: 'Posted.',
  repeated: 'Already handled.',
  'not-an-outcome': 'Ignored: not a pipeline outcome.',
  // The verifier has refused other topics already (403); kept for completeness.
  'not-allowed': 'Ignored: not an allowed topic.',
};

/** How long a connection whose body is left unread stays open once answered: time to read the answer. */
const LINGER_MS = 1000;

/**
 * Reads no more of `req`, and closes its connection once `res` is sent. Not at once: a socket
 * closed with unread bytes is reset, and a reset can take the answer with it before the sender
 * reads it. Node would read the rest of the body to discard it, then close at once; here the
 * socket stops reading (the sender is held by TCP) and is closed a moment later.
 */
function leaveUnread(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  req.removeAllListeners('data');
  res.setHeader('connection', 'close');
  socket.destroySoon = () => {
    req.pause();
    socket.pause();
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

export function snsRoute(app: App, deps: SnsRouteDeps) {
  const warnings = new RateLimitedLog((line) => app.logger.warn(line));
  const file = deps.config.seenMessagesFile;
  const memory = new MessageMemory(
    undefined,
    file ? seenMessagesFile(file, (kind, line) => warnings.log(kind, line)) : undefined,
  );
  const notifications: NotificationDeps = {
    topicArns: deps.config.topicArns,
    memory,
    post: (outcome) => postOutcome(deps.slack, deps.config, outcome, deps.s3, app.logger),
    onViewsChanged: deps.onViewsChanged,
    logger: app.logger,
    warnings,
  };
  const refusals = new RateLimitedLog((line) => app.logger.warn(line));

  return (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, text: string): void =>
      void res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    const refuse = (status: number, err: SnsRejected): void => {
      refusals.log(
        err.reason,
        `SNS message from ${req.socket.remoteAddress ?? 'an unknown address'} refused (${err.reason}): ${err.message}`,
      );
      reply(status, err.message);
    };
    // SNS messages are at most 256 KiB: anything much larger is not one. Refused as soon as it is
    // announced or read that large, and the rest never read: a slow huge body holds nothing.
    const tooLarge = (): void => {
      leaveUnread(req, res);
      refuse(413, new SnsRejected('too-large', 'The body is too large to be an SNS message.'));
    };
    if (Number(req.headers['content-length']) > MAX_BODY) return tooLarge();
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > MAX_BODY) return tooLarge();
      chunks.push(d);
    });
    req.on('end', () => {
      handle(Buffer.concat(chunks).toString('utf8')).then(
        (text) => (text === IN_PROGRESS ? reply(503, BUSY) : reply(200, text)),
        (err: unknown) => {
          if (err instanceof SnsRejected) return refuse(403, err);
          app.logger.error(`SNS message not handled: ${logSafe((err as Error).message)}`);
          reply(500, 'The message could not be handled; SNS will retry.');
        },
      );
    });
  };

  async function handle(body: string): Promise<string | typeof IN_PROGRESS> {
    const m = await deps.verifier.authenticate(body);
    if (m.Type === 'Notification') {
      const handled = await handleNotification(m, notifications);
      return handled === 'in-progress' ? IN_PROGRESS : ANSWERS[handled];
    }
    const answer = await memory.once(m.MessageId, () => confirm(m));
    return answer === REPEATED ? ANSWERS.repeated : answer;
  }

  async function confirm(m: SnsEnvelope): Promise<string> {
    if (m.Type !== 'SubscriptionConfirmation') return 'Ignored.';
    // Confirmed through the API with the token; the SubscribeURL in the message is never fetched.
    await deps.sns.send(new ConfirmSubscriptionCommand({ TopicArn: m.TopicArn, Token: m.Token! }));
    return 'Subscribed.';
  }
}
