/** `movies local`: run the local twin of the AWS side until interrupted. */
import { join } from 'node:path';
import { ConfigError, readBotConfig } from '../../bot/config.ts';
import { BotStartError, startBot, type RunningBot } from '../../bot/server.ts';
import { startTwin, TwinStartError } from '../../local-aws/twin.ts';
import type { Io } from '../io.ts';
import { withDefaults } from '../twin-defaults.ts';

export async function local(
  options: { port: number; dataDir: string; withBot: boolean },
  io: Io,
): Promise<number> {
  io.stdout.write('Starting the local twin (synthesizing the CDK app, opening the warehouse)...\n');
  let twin;
  try {
    // With the bot, alerts of interrupted runs wait until it listens, so that it gets them.
    twin = await startTwin({
      port: options.port,
      dataDir: options.dataDir,
      holdInterruptedAlerts: options.withBot,
    });
  } catch (err) {
    if (!(err instanceof TwinStartError)) throw err;
    io.stderr.write(`movies: ${err.message}\n`);
    return 2;
  }
  io.stdout.write(
    [
      `movies-gds local twin on ${twin.endpoint} (data in ${options.dataDir})`,
      `  bucket          ${twin.bucket}`,
      `  state machine   ${twin.stateMachineArn}`,
      `  topics          ${twin.topics.success}`,
      `                  ${twin.topics.failure}`,
      '',
      'Point AWS SDKs and the AWS CLI at it:',
      ...Object.entries(twin.env).map(([k, v]) => `  export ${k}=${v}`),
      '',
      // Those would go to real AWS.
      'AWS CLI v2 before 2.13 and v1 before 1.29 ignore AWS_ENDPOINT_URL; with them, use this alias:',
      `  alias awslocal='aws --endpoint-url ${twin.endpoint}'`,
      '',
      `Drop a file:  awslocal s3 cp data/clean/movies_2024_q1.csv s3://${twin.bucket}/input_data/`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  // With Slack configured, the bot runs beside the twin, subscribed to its topics.
  let bot: RunningBot | undefined;
  if (options.withBot) {
    try {
      // The twin's names, unless the environment says otherwise.
      const config = readBotConfig(
        withDefaults(process.env, {
          AWS_REGION: twin.region,
          MOVIES_STATE_MACHINE_ARN: twin.stateMachineArn,
          MOVIES_TOPIC_ARNS: `${twin.topics.success},${twin.topics.failure}`,
          MOVIES_SNS_CERTIFICATE_URL: twin.sns.certificateUrl,
          MOVIES_SEEN_MESSAGES_FILE: join(options.dataDir, 'bot', 'seen-messages'),
        }),
      );
      // The twin accepts any credentials; the bot's SDK clients only need some.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
        if (!process.env[name] && twin.env[name]) process.env[name] = twin.env[name];
      bot = await startBot(config, { endpoint: twin.endpoint, subscribe: true });
      twin.sns.retireEarlierLocalBots(bot.subscribedAt!);
      io.stdout.write(`Slack bot on ${bot.url} (Slack: /slack/events), subscribed to the twin's topics.\n`);
    } catch (err) {
      if (err instanceof BotStartError) io.stdout.write(`The Slack bot is not started: ${err.message}\n`);
      else if (err instanceof ConfigError)
        io.stdout.write(
          `The Slack bot is not started; to run it beside the twin, set:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`,
        );
      else throw err;
    }
    twin.reportInterrupted();
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stdout.write('Stopping (waiting for running executions)...\n');
  await bot?.stop();
  await twin.stop();
  return 0;
}
