/**
 * One pipeline notification from SNS, whichever way it came (the HTTP route, once verified; or
 * Lambda's SNS trigger): from an allowed topic, not seen before, an outcome — then posted to Slack.
 * Anything else is skipped, and said so in the log unless it is a repeat: retrying cannot change it.
 * A redelivery while the first is still being posted is 'in-progress': the caller has SNS retry it.
 */
import type { Logger } from '@slack/bolt';
import { parseOutcome, type Outcome } from '../contract/outcome.ts';
import { logSafe } from './log-safe.ts';
import { IN_PROGRESS, REPEATED, type MessageMemory } from './message-memory.ts';
import { changesViews } from './post-alert.ts';
import type { RateLimitedLog } from './rate-limited-log.ts';

export interface Notification {
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
}

export interface NotificationDeps {
  /** SNS topics whose messages are accepted. */
  readonly topicArns: readonly string[];
  /** The messages handled so far (SNS delivers at least once). */
  readonly memory: MessageMemory;
  /** Posts the outcome to Slack; a throw leaves the message unhandled, so a retry gets through. */
  readonly post: (outcome: Outcome) => Promise<void>;
  /** Called after a load that changed the views: cached answers are stale. */
  readonly onViewsChanged: () => void;
  readonly logger: Logger;
  /** Warnings a flood or a retried Lambda batch would repeat: at most one a kind a minute. */
  readonly warnings: RateLimitedLog;
}

/** 'in-progress': a redelivery while the first is still being posted, which may yet fail: retry later. */
export type Handled = 'posted' | 'repeated' | 'in-progress' | 'not-allowed' | 'not-an-outcome';

export async function handleNotification(m: Notification, deps: NotificationDeps): Promise<Handled> {
  if (!deps.topicArns.includes(m.TopicArn)) {
    deps.warnings.log(
      'not-allowed',
      `Ignored SNS message ${logSafe(m.MessageId)} from ${logSafe(m.TopicArn)}: not an allowed topic.`,
    );
    return 'not-allowed';
  }
  const done = await deps.memory.once(m.MessageId, async (): Promise<Handled> => {
    let outcome: Outcome;
    try {
      outcome = parseOutcome(m.Message);
    } catch (err) {
      deps.logger.warn(
        `SNS message ${logSafe(m.MessageId)} is not a pipeline outcome: ${logSafe((err as Error).message)}`,
      );
      return 'not-an-outcome';
    }
    await deps.post(outcome);
    if (changesViews(outcome)) deps.onViewsChanged();
    return 'posted';
  });
  if (done === IN_PROGRESS) return 'in-progress';
  if (done !== REPEATED) return done;
  deps.logger.debug(`SNS message ${logSafe(m.MessageId)} was handled already.`);
  return 'repeated';
}
