/** `movies bot`: the Slack bot's HTTP server (Slack at /slack/events, SNS at /sns). */
import { ConfigError, readBotConfig } from '../../bot/config.ts';
import { BotStartError, startBot } from '../../bot/server.ts';
import { withDefaults, withTwinDefaults } from '../twin-defaults.ts';
import type { Io } from '../io.ts';

export async function bot(io: Io): Promise<number> {
  let config;
  try {
    // As documented, the twin's names where none are set; the deployed bot (bot/lambda.ts) has no defaults.
    // Handled SNS messages kept in the working directory, so a restarted bot does not post them again.
    config = readBotConfig(
      withDefaults(withTwinDefaults(process.env), { MOVIES_SEEN_MESSAGES_FILE: '.movies-bot/seen-messages' }),
    );
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`movies: ${err.message}\n`);
    return 2;
  }
  let running;
  try {
    running = await startBot(config, {
      ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}),
    });
  } catch (err) {
    if (!(err instanceof BotStartError)) throw err;
    io.stderr.write(`movies: ${err.message}\n`);
    return 2;
  }
  io.stdout.write(
    `movies-gds bot on ${running.url} (Slack: /slack/events, SNS: /sns)${config.publicUrl ? `; subscribed ${config.publicUrl}/sns to ${config.topicArns.length} topics` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.stop();
  return 0;
}
