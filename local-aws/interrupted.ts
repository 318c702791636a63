/**
 * An execution that was running when the twin stopped never reached the state machine's own
 * failure branch, so no alert would tell anyone. At the next start the twin publishes the
 * outcome that branch would have: FAILED, naming the state it stopped in.
 */
import { sourceOf } from '../contract/etl-results.ts';
import { executionConsoleUrl, OUTCOME_VERSION, type Outcome } from '../contract/outcome.ts';
import type { ObjectStore } from './object-store.ts';
import type { ExecutionRecord } from './stepfunctions.ts';

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
