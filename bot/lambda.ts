/**
 * The bot on AWS Lambda, behind a Function URL and subscribed to the pipeline's topics.
 * - SNS records: handled by the same core as the HTTP route (handle-notification.ts): the topic
 *   allow-list, each MessageId once, non-outcomes skipped. Lambda's SNS trigger is AWS's own, so
 *   there is no signature to verify here.
 * - Slack requests (Function URL): AwsLambdaReceiver verifies the signature; /movies is acked at once
 *   and answered by a second, asynchronous invocation of this function, which posts to response_url —
 *   a warehouse query would not fit in Slack's 3 seconds.
 * Slack's secrets come from Secrets Manager (SLACK_SECRET_ARN), read once per cold start.
 */
import { AwsLambdaReceiver, type App, type Logger } from '@slack/bolt';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AnswerCache } from './answer-cache.ts';
import type { Answer } from './answers.ts';
import { boltApp, slackClient } from './app.ts';
import { ConfigError, readBotConfig, type BotConfig } from './config.ts';
import { DrawnCharts, inProcess } from './drawn-charts.ts';
import { handleNotification, type Notification, type NotificationDeps } from './handle-notification.ts';
import { answerCommand, type CommandDeps, type DeferredCommand } from './listeners/commands/movies.ts';
import { logSafe } from './log-safe.ts';
import { MessageMemory } from './message-memory.ts';
import { postOutcome } from './post-alert.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

interface SnsEvent {
  Records: { EventSource: string; Sns: Notification }[];
}

type LambdaEvent = SnsEvent | DeferredCommand | Record<string, unknown>;

export interface LambdaDeps {
  /** Starts this function again, asynchronously, with the event (Lambda InvokeCommand by default). */
  readonly invokeSelf?: (event: DeferredCommand) => Promise<void>;
  /** Slack's secrets; by default read from Secrets Manager. */
  readonly secrets?: () => Promise<{ signingSecret: string; botToken: string }>;
  /** Replaces Bolt's console logger for everything the bot logs. */
  readonly logger?: Logger;
}

interface Bot {
  config: BotConfig;
  app: App;
  /** Posts the alerts. */
  slack: App['client'];
  handler: ReturnType<AwsLambdaReceiver['toHandler']>;
  commands: CommandDeps;
  notifications: NotificationDeps;
}

/** A handler; `deps` lets tests stand in for Lambda's own invoke and Secrets Manager. */
export function createHandler(deps: LambdaDeps = {}) {
  let bot: Promise<Bot> | undefined;
  const init = async (): Promise<Bot> => {
    const { signingSecret, botToken } = await (deps.secrets ?? readSlackSecret)();
    const config = readBotConfig({
      ...process.env,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: botToken,
    });
    const aws = { region: config.region };
    const invokeSelf =
      deps.invokeSelf ??
      (async (event: DeferredCommand) => {
        await new LambdaClient(aws).send(
          new InvokeCommand({
            FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
            InvocationType: 'Event',
            Payload: Buffer.from(JSON.stringify(event)),
          }),
        );
      });
    const commands: CommandDeps = {
      config,
      redshift: new RedshiftDataClient(aws),
      sfn: new SFNClient(aws),
      cache: new AnswerCache<Answer>(config.cacheTtlMs),
      // On this thread: the invocation that draws answers one command and acknowledges none.
      charts: new DrawnCharts(inProcess, config.cacheTtlMs),
      defer: invokeSelf,
    };
    const receiver = new AwsLambdaReceiver({ signingSecret: config.signingSecret });
    const s3 = new S3Client(aws);
    const app = boltApp(config, receiver, commands, s3, deps.logger);
    const slack = slackClient(config);
    const notifications: NotificationDeps = {
      topicArns: config.topicArns,
      // This container's, and not kept on disk like the HTTP bot's: nobody but SNS can replay here.
      // Records come only from the topics' subscriptions (the function's resource policy lets
      // sns.amazonaws.com invoke it for those topics alone); a Function URL request arrives as an
      // HTTP event, never as Records. What is left is SNS's at-least-once delivery and Lambda's
      // async retries: usually the same warm container; an alert posted twice is the worst case.
      memory: new MessageMemory(),
      post: (outcome) => postOutcome(slack, config, outcome, s3, app.logger),
      onViewsChanged: () => {
        commands.cache.clear();
        commands.charts.clear();
      },
      logger: app.logger,
      warnings: new RateLimitedLog((line) => app.logger.warn(line)),
    };
    return { config, app, slack, handler: receiver.toHandler(), commands, notifications };
  };

  return async (event: LambdaEvent, context: unknown): Promise<unknown> => {
    // A failed start (Secrets Manager throttled, say) is not kept: the next invocation tries again.
    const starting = (bot ??= init().catch((err: unknown) => {
      if (bot === starting) bot = undefined;
      // One line a problem, as they read: the thrown message is indented and multi-line.
      if (err instanceof ConfigError) for (const p of err.problems) (deps.logger ?? console).error(p);
      throw err;
    }));
    const b = await starting;
    if (isSns(event)) {
      // A post that failed (Slack down or slow) throws, once the other records are done: SNS invokes
      // Lambda asynchronously, so Lambda retries the event (twice, minutes apart), and the memory
      // lets only the unposted records through again (SNS sends one per event anyway): a late alert
      // beats a lost one. What a retry cannot change (a non-outcome, another topic, a repeat) is
      // skipped by the core, never thrown.
      let failed = 0;
      for (const r of event.Records)
        await handleNotification(r.Sns, b.notifications)
          .then((handled) => {
            // Another invocation is posting it and may fail: Lambda's retry settles it.
            if (handled === 'in-progress') throw new Error('it is being posted by another invocation');
          })
          .catch((err: unknown) => {
            failed++;
            b.app.logger.error(
              `SNS message ${logSafe(r.Sns.MessageId)} not handled: ${logSafe((err as Error).message)}`,
            );
          });
      if (failed)
        throw new Error(
          `${failed} of ${event.Records.length} SNS messages were not posted; Lambda retries them.`,
        );
      return { ok: true };
    }
    if ((event as DeferredCommand).kind === 'movies-command') {
      const command = event as DeferredCommand;
      const answer = await answerCommand(
        command,
        { ...b.commands, defer: undefined } as CommandDeps,
        b.slack,
        b.app.logger,
      );
      await fetch(command.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(answer),
      });
      return { ok: true };
    }
    return b.handler(event as never, context as never);
  };
}

function isSns(event: LambdaEvent): event is SnsEvent {
  const records = (event as SnsEvent).Records;
  return Array.isArray(records) && records.every((r) => r.EventSource === 'aws:sns');
}

async function readSlackSecret(): Promise<{ signingSecret: string; botToken: string }> {
  const arn = process.env.SLACK_SECRET_ARN;
  if (!arn) throw new Error('SLACK_SECRET_ARN is not set: the secret holding signingSecret and botToken.');
  const r = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  const wanted = `The secret ${arn} must hold {"signingSecret": "...", "botToken": "xoxb-..."}.`;
  let v: { signingSecret?: string; botToken?: string };
  try {
    v = JSON.parse(r.SecretString ?? '{}') as typeof v;
  } catch {
    throw new Error(wanted); // the generated placeholder of a fresh deploy is not JSON
  }
  if (!v?.signingSecret || !v.botToken) throw new Error(wanted);
  return { signingSecret: v.signingSecret, botToken: v.botToken };
}

export const handler = createHandler();
