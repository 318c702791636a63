/**
 * The "Show failed rows" button on an alert: the first quarantined rows, in the alert's thread. Why
 * they cannot be shown (a value that is not a quarantine of the pipeline, an object gone) is told
 * to the one who pressed it, ephemerally.
 */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { S3Client } from '@aws-sdk/client-s3';
import { section, table, type Block } from '../../blocks.ts';
import type { BotConfig } from '../../config.ts';
import { QuarantineUnavailable, quarantineSample } from '../../quarantine.ts';
import { slackEscape } from '../../slack-text.ts';

const SAMPLE_ROWS = 10;

export function showFailedRows(config: BotConfig, s3: S3Client) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const channel = body.channel?.id;
    const thread = body.message?.ts;
    if (!channel || !thread) return;
    const say = (blocks: Block[], text: string) =>
      client.chat.postMessage({ channel, thread_ts: thread, text, blocks, unfurl_links: false });
    const tell = (text: string) =>
      client.chat.postEphemeral({
        channel,
        user: body.user.id,
        thread_ts: thread,
        text,
        blocks: [section(text)],
      });
    try {
      const { rows, columns } = await quarantineSample(s3, config.bucket, action.value ?? '', SAMPLE_ROWS);
      await say(table(`First ${rows.length} quarantined rows`, rows, columns), 'Failed rows');
    } catch (err) {
      if (!(err instanceof QuarantineUnavailable)) throw err;
      await tell(slackEscape(err.message));
    }
  };
}
