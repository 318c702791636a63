/**
 * `/movies <top-rated|genres|genre|trends|status|help>`: a quick answer in the acknowledgment,
 * a slower one through the response URL; on Lambda, always from a second invocation.
 */
import type { AllMiddlewareArgs, App, Logger, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { answerFor, type Answer, type AnswerDeps } from '../../answers.ts';
import { context, section, type Block } from '../../blocks.ts';
import type { BotConfig } from '../../config.ts';
import { postChart } from '../../post-chart.ts';
import { slackEscape } from '../../slack-text.ts';
import { QueryError } from '../../warehouse.ts';

/** What a deferred answer needs: enough of the command to answer it later. */
export interface DeferredCommand {
  readonly kind: 'movies-command';
  readonly text: string;
  readonly responseUrl: string;
  readonly channelId: string;
  readonly userId: string;
}

export interface CommandDeps extends AnswerDeps {
  readonly config: BotConfig;
  /** On Lambda the answer comes from a second invocation (the first must return within Slack's 3 s). */
  readonly defer?: (command: DeferredCommand) => Promise<void>;
}

/**
 * An answer ready within this long (a cached one, or a quick query) comes back in the
 * acknowledgment itself; a slower one follows on the response URL, well inside Slack's 3 seconds.
 */
const INLINE_ANSWER_MS = 200;

export function moviesCommand(deps: CommandDeps) {
  return async ({
    command,
    ack,
    respond,
    client,
    logger,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const deferred: DeferredCommand = {
      kind: 'movies-command',
      text: command.text ?? '',
      responseUrl: command.response_url,
      channelId: command.channel_id,
      userId: command.user_id,
    };
    if (deps.defer) {
      await ack();
      return deps.defer(deferred);
    }
    const answering = answerCommand(deferred, deps, client, logger);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, INLINE_ANSWER_MS, null)));
    const quick = await Promise.race([answering, late]).finally(() => clearTimeout(timer));
    if (quick) return ack(quick);
    await ack();
    await respond(await answering);
  };
}

/** The answer to a command, as a response_url payload; a chart, if any, goes to the channel first. */
export async function answerCommand(
  command: DeferredCommand,
  deps: CommandDeps,
  client: App['client'],
  logger: Logger,
): Promise<{ response_type: 'ephemeral' | 'in_channel'; text: string; blocks: Block[] }> {
  const { config } = deps;
  let answer: Answer;
  if (config.allowedChannels && !config.allowedChannels.includes(command.channelId))
    answer = {
      text: 'Not here',
      blocks: [section('`/movies` is not enabled in this channel.')],
      ephemeral: true,
    };
  else if (config.allowedUsers && !config.allowedUsers.includes(command.userId))
    answer = {
      text: 'Not allowed',
      blocks: [section('You are not on the list of people who may ask `/movies`.')],
      ephemeral: true,
    };
  else {
    try {
      answer = await answerFor(command.text, deps);
    } catch (err) {
      // The asker gets one sentence; the details go to the log.
      const problem =
        err instanceof QueryError
          ? err.message
          : `The answer could not be fetched (${(err as Error).name}); the bot's log has the details.`;
      if (!(err instanceof QueryError)) logger.error('/movies failed:', err);
      answer = {
        text: problem,
        blocks: [section(`:hourglass: ${slackEscape(problem)}`)],
        ephemeral: true,
      };
    }
  }
  const blocks = [...answer.blocks];
  if (answer.chart) {
    const problem = await postChart(client, command.channelId, answer.chart);
    if (problem) blocks.push(context(`:bar_chart: ${slackEscape(problem)}`));
  }
  return {
    response_type: answer.ephemeral ? 'ephemeral' : 'in_channel',
    text: answer.text,
    blocks: blocks.slice(0, 50),
  };
}
