/** Post one pipeline outcome: failures to the alert channel, successes to the data channel, details in the thread. */
import type { App } from '@slack/bolt';
import type { Outcome } from '../infra/pipeline/outcome.ts';
import { isFailure, renderAlert } from './alerts.ts';
import type { BotConfig } from './config.ts';

export async function postOutcome(client: App['client'], config: BotConfig, outcome: Outcome): Promise<void> {
  const alert = renderAlert(outcome, config.alertMention);
  const channel = isFailure(outcome) ? config.alertChannel : config.dataChannel;
  const posted = await client.chat.postMessage({
    channel,
    text: alert.text,
    blocks: alert.blocks,
    unfurl_links: false,
  });
  if (alert.thread && posted.ts)
    await client.chat.postMessage({
      channel,
      thread_ts: posted.ts,
      text: 'Details',
      blocks: alert.thread,
      unfurl_links: false,
    });
}

/** Whether a load changed the views (so cached answers are stale). */
export function changesViews(outcome: Outcome): boolean {
  return outcome.status === 'SUCCEEDED' || outcome.status === 'PARTIAL';
}
