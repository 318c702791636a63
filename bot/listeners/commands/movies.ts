/**
 * `/movies <top-rated|genres|genre|trends|status|help>`: acknowledged at once, before any query or
 * drawing, so Slack has its acknowledgment however busy the bot is. An answer at hand (help, a
 * refusal, a kept table) comes in the acknowledgment itself; the others follow on the response
 * URL; on Lambda, from a second invocation.
 */
import type { AllMiddlewareArgs, App, Logger, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { answerAtHand, answerFor, type Answer, type AnswerDeps } from '../../answers.ts';
import { context, section, type Block } from '../../blocks.ts';
import type { BotConfig } from '../../config.ts';
import type { DrawnCharts } from '../../drawn-charts.ts';
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
  /** The trends charts, drawn once per data they show. */
  readonly charts: DrawnCharts;
  /** On Lambda the answer comes from a second invocation (the first must return within Slack's 3 s). */
  readonly defer?: (command: DeferredCommand) => Promise<void>;
}

/** What Slack is answered, in the acknowledgment or on the response URL. */
export interface CommandAnswer {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks: Block[];
}

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
    const atHand = refusal(deferred, deps.config) ?? answerAtHand(deferred.text, deps);
    // A chart is posted before its table, so a kept trends answer still follows on the response URL.
    if (atHand && !atHand.chart) return ack(payload(atHand));
    await ack();
    if (deps.defer) return deps.defer(deferred);
    await respond(await answerCommand(deferred, deps, client, logger));
  };
}

/** Why this channel or person may not ask, when they may not. */
function refusal(command: DeferredCommand, config: BotConfig): Answer | undefined {
  if (config.allowedChannels && !config.allowedChannels.includes(command.channelId))
    return {
      text: 'Not here',
      blocks: [section('`/movies` is not enabled in this channel.')],
      ephemeral: true,
    };
  if (config.allowedUsers && !config.allowedUsers.includes(command.userId))
    return {
      text: 'Not allowed',
      blocks: [section('You are not on the list of people who may ask `/movies`.')],
      ephemeral: true,
    };
  return undefined;
}

function payload(answer: Answer, blocks: Block[] = answer.blocks): CommandAnswer {
  return {
    response_type: answer.ephemeral ? 'ephemeral' : 'in_channel',
    text: answer.text,
    blocks: blocks.slice(0, 50),
  };
}

/** The answer to a command, as a response_url payload; a chart, if any, goes to the channel first. */
export async function answerCommand(
  command: DeferredCommand,
  deps: CommandDeps,
  client: App['client'],
  logger: Logger,
): Promise<CommandAnswer> {
  let answer = refusal(command, deps.config);
  if (!answer) {
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
    const problem = await postChart(client, command.channelId, answer.chart, deps.charts);
    if (problem) blocks.push(context(`:bar_chart: ${slackEscape(problem)}`));
  }
  return payload(answer, blocks);
}
