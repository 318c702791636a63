/**
 * The bot: one Bolt app, created by createApp(config). Slack reaches it at /slack/events; SNS at
 * /sns. AWS clients are passed in, so the same app serves AWS and the local twin. What the bot's
 * code logs goes to the app's logger: Bolt's own, or one passed in (tests record it). Bolt's
 * receivers keep their own, at INFO: the app's is at WARN and would drop their signature refusals.
 * The trends charts are drawn on a worker thread, started with the first and ended by close().
 */
import { App, HTTPReceiver, LogLevel, webApi, type Authorize, type Logger, type Receiver } from '@slack/bolt';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { SHOW_FAILED_ROWS } from './alerts.ts';
import { showFailedRows } from './listeners/actions/show-failed-rows.ts';
import { AnswerCache } from './answer-cache.ts';
import type { Answer } from './answers.ts';
import { ChartThread } from './chart-thread.ts';
import type { BotConfig } from './config.ts';
import { DrawnCharts } from './drawn-charts.ts';
import { moviesCommand, type CommandDeps } from './listeners/commands/movies.ts';
import { snsRoute } from './listeners/routes/sns.ts';
import { SnsVerifier } from './sns-verify.ts';

export interface AwsClients {
  readonly s3: S3Client;
  readonly redshift: RedshiftDataClient;
  readonly sfn: SFNClient;
  readonly sns: SNSClient;
}

export function createApp(
  config: BotConfig,
  aws: AwsClients,
  logger?: Logger,
): { app: App; receiver: HTTPReceiver; close: () => Promise<void> } {
  const cache = new AnswerCache<Answer>(config.cacheTtlMs);
  const charts = new DrawnCharts(new ChartThread(), config.cacheTtlMs, (line) => app.logger.debug(line));
  const verifier = new SnsVerifier({
    region: config.region,
    topicArns: config.topicArns,
    ...(config.trustedCertificateUrl ? { trustedCertificateUrl: config.trustedCertificateUrl } : {}),
  });
  const alerts = slackClient(config);
  // The route logs with the app's logger, so it is made on first use, once the app exists.
  let sns: ReturnType<typeof snsRoute> | undefined;
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    endpoints: '/slack/events',
    customRoutes: [
      {
        path: '/sns',
        method: ['POST'],
        handler: (req, res) => {
          sns ??= snsRoute(app, {
            config,
            slack: alerts,
            verifier,
            sns: aws.sns,
            s3: aws.s3,
            onViewsChanged: () => {
              cache.clear();
              charts.clear();
            },
          });
          sns(req, res);
        },
      },
      { path: '/health', method: ['GET'], handler: (_req, res) => void res.writeHead(200).end('ok') },
    ],
  });
  const app: App = boltApp(
    config,
    receiver,
    { config, redshift: aws.redshift, sfn: aws.sfn, cache, charts },
    aws.s3,
    logger,
  );
  return { app, receiver, close: () => charts.close() };
}

/** The Bolt app and its listeners, whichever receiver (HTTP server or Lambda) brings the requests. */
export function boltApp(
  config: BotConfig,
  receiver: Receiver,
  commands: CommandDeps,
  s3: S3Client,
  logger?: Logger,
): App {
  const app = new App({
    // Asked while Slack waits (3 s): one quick retry, not the client's half hour of them.
    authorize: authorizeOnce(
      new webApi.WebClient(undefined, {
        ...clientOptions(config),
        retryConfig: { retries: 1 },
        timeout: 1000,
      }),
      config.botToken,
    ),
    receiver,
    ...(logger ? { logger } : {}),
    logLevel: LogLevel.WARN,
    convoStore: false, // no conversation state to keep; saves work on every request
    clientOptions: clientOptions(config),
  });
  app.command('/movies', moviesCommand(commands));
  app.action(SHOW_FAILED_ROWS, showFailedRows(config, s3));
  return app;
}

/**
 * Slack's Web API with the bot token, for what the bot posts unasked: the pipeline's alerts.
 * Bounded, so one post cannot outlast SNS's 15 s delivery by minutes (the client's default is half
 * an hour of retries, and waiting out a rate limit): 5 s a request, one quick retry, a rate limit
 * an error. A post that fails is retried by SNS or Lambda, later.
 */
export function slackClient(config: BotConfig): webApi.WebClient {
  return new webApi.WebClient(config.botToken, { ...clientOptions(config), ...ALERT_CLIENT });
}

export const ALERT_CLIENT = {
  timeout: 5000,
  retryConfig: { retries: 1, minTimeout: 500, maxTimeout: 500 },
  rejectRateLimitedCalls: true,
} as const satisfies webApi.WebClientOptions;

function clientOptions(config: BotConfig): webApi.WebClientOptions {
  return config.slackApiUrl ? { slackApiUrl: config.slackApiUrl.replace(/\/?$/, '/') } : {};
}

/**
 * Bolt's authorization for one bot token, with its auth.test asked on the first request and
 * kept: once per process rather than per request, never by a bot that did not get to start
 * (Bolt's own asks at construction, and its retries would keep a failed `movies bot` alive),
 * and asked again after a failure rather than failing every later request.
 */
function authorizeOnce(client: webApi.WebClient, botToken: string): Authorize<boolean> {
  let identity: Promise<{ botId?: string; botUserId?: string }> | undefined;
  return async () => {
    const asked = (identity ??= client.auth.test({ token: botToken }).then((r) => ({
      ...(r.bot_id ? { botId: r.bot_id } : {}),
      ...(r.user_id ? { botUserId: r.user_id } : {}),
    })));
    asked.catch(() => {
      if (identity === asked) identity = undefined;
    });
    return { botToken, ...(await asked) };
  };
}
