/**
 * An execution that was running when the twin stopped never reached the state machine's own
 * failure branch, so no alert would tell anyone. At the next start the twin publishes the
 * outcome that branch would have: FAILED, naming the state it stopped in. One stopped after its
 * outcome went out ends as the state machine's states after that publish end it.
 */
import { sourceOf } from '../contract/etl-results.ts';
import { executionConsoleUrl, OUTCOME_VERSION, parseOutcome, type Outcome } from '../contract/outcome.ts';
import type { ObjectStore } from './object-store.ts';
import type { Sns } from './sns.ts';
import type { ExecutionRecord, PublishedEnd } from './stepfunctions.ts';

interface ObjectCreated {
  detail?: { bucket?: { name?: string }; object?: { key?: string; etag?: string; size?: number } };
}

export function interruptedOutcome(record: ExecutionRecord, region: string, store: ObjectStore): Outcome {
  const { detail } = JSON.parse(record.input) as ObjectCreated;
  const bucket = detail?.bucket?.name ?? '';
  const key = detail?.object?.key ?? '';
  const etag = detail?.object?.etag ?? '';
  // The metadata the Action set (commit, PR, actor) is on the object, if it is still the same one.
  let metadata: Readonly<Record<string, string>> = {};
  try {
    const meta = store.head(bucket, key);
    if (meta.etag.replace(/"/g, '') === etag.replace(/"/g, '')) metadata = meta.metadata;
  } catch {
    // Archived, quarantined or deleted since: the outcome names the file without its metadata.
  }
  const entered = record.history.findLast((e) => e.type.endsWith('StateEntered'));
  const state = (entered?.stateEnteredEventDetails as { name?: string } | undefined)?.name;
  return {
    version: OUTCOME_VERSION,
    status: 'FAILED',
    source: sourceOf(bucket, key, etag, detail?.object?.size ?? 0, metadata),
    execution: {
      arn: record.executionArn,
      name: record.name,
      startedAt: new Date(record.startDate).toISOString(),
      consoleUrl: executionConsoleUrl(region).replace('{}', record.executionArn),
    },
    error: {
      state: state ?? 'Execution',
      error: record.error ?? 'States.Runtime',
      cause: record.cause ?? 'The execution was interrupted.',
    },
  };
}

/**
 * How a run ends after publishing `text`: the success alert is followed by the Succeed state; the
 * quality alert by `Quality gate failed`; the failure alert by `Pipeline failed` with the run's
 * first error (infra/constructs/state-machine/publish.ts). The cause is the outcome, as there.
 */
export function endAfterPublish(text: string): PublishedEnd {
  const outcome = parseOutcome(text);
  if (outcome.status === 'SUCCEEDED' || outcome.status === 'PARTIAL')
    return { status: 'SUCCEEDED', output: JSON.stringify({ outcome }) };
  if (outcome.status === 'QUALITY_FAILED')
    return { status: 'FAILED', error: 'QualityGateFailed', cause: text };
  return { status: 'FAILED', error: outcome.error?.error ?? 'States.Runtime', cause: text };
}

/** The outcome `executionArn` published to one of `topics`, as its message text, if it did. */
export function publishedOutcome(
  sns: Pick<Sns, 'messages'>,
  topics: readonly string[],
  executionArn: string,
): string | undefined {
  for (const topic of topics)
    for (const { Message } of sns.messages(topic)) {
      try {
        if (parseOutcome(Message).execution.arn === executionArn) return Message;
      } catch {
        // Published by hand (aws sns publish): not an outcome.
      }
    }
  return undefined;
}
