/** Post one pipeline outcome: failures to the alert channel, successes to the data channel, details in the thread. */
import type { App, Logger } from '@slack/bolt';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Outcome } from '../contract/outcome.ts';
import { isFailure, renderAlert } from './alerts.ts';
import { context, table, type Block } from './blocks.ts';
import type { BotConfig } from './config.ts';
import { QuarantineUnavailable, quarantineSample } from './quarantine.ts';
import { slackEscape } from './slack-text.ts';

const SAMPLE_ROWS = 3;

export async function postOutcome(
  client: App['client'],
  config: BotConfig,
  outcome: Outcome,
  s3: S3Client,
  logger: Logger,
): Promise<void> {
  const alert = renderAlert(outcome, config.alertMention);
  const channel = isFailure(outcome) ? config.alertChannel : config.dataChannel;
  const posted = await client.chat.postMessage({
    channel,
    text: alert.text,
    blocks: alert.blocks,
    unfurl_links: false,
  });
  // The alert is out. Its details follow; if they fail, posting again would repeat the alert.
  try {
    const sample = await sampleBlocks(s3, config, outcome);
    const thread = sample.length ? [...(alert.thread ?? []), ...sample].slice(0, 50) : alert.thread;
    if (thread && posted.ts)
      await client.chat.postMessage({
        channel,
        thread_ts: posted.ts,
        text: 'Details',
        blocks: thread,
        unfurl_links: false,
      });
  } catch (err) {
    logger.error(
      `The details of the alert for ${outcome.execution.name} were not posted: ${(err as Error).message}`,
    );
  }
}

/**
 * A few quarantined rows, when only some rows were (a whole rejected file is the file itself).
 * The alert goes out anyway if they cannot be read: it says so in one line.
 */
async function sampleBlocks(s3: S3Client, config: BotConfig, outcome: Outcome): Promise<Block[]> {
  if (outcome.status !== 'PARTIAL' || !outcome.quarantine) return [];
  try {
    const { rows, columns } = await quarantineSample(s3, config.bucket, outcome.quarantine.uri, SAMPLE_ROWS);
    return rows.length ? table('Sample failed rows', rows, columns) : [];
  } catch (err) {
    if (!(err instanceof QuarantineUnavailable)) throw err;
    return [context(slackEscape(err.message))];
  }
}

/** Whether a load changed the views (so cached answers are stale). */
export function changesViews(outcome: Outcome): boolean {
  return outcome.status === 'SUCCEEDED' || outcome.status === 'PARTIAL';
}
