/**
 * Following a drop through the pipeline: find the execution EventBridge started for the object
 * (ListExecutions has no input filter and is eventually consistent, and EventBridge names
 * executions at random, so match the input's bucket, key and etag), then poll it at a fixed
 * interval until it ends or the deadline passes, reporting each state transition as it happens,
 * and read the outcome — from the output, or from the cause of a Fail state.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { parseOutcome, type Outcome } from '../contract/outcome.ts';
import type { UploadedDrop } from './upload.ts';

export interface FollowOptions {
  readonly stateMachineArn: string;
  readonly pollMs: number;
  readonly deadline: Date;
  /** Called once per state the execution enters, in order. */
  readonly onState?: (state: string, event: HistoryEvent) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type FollowResult =
  | {
      readonly status: 'DONE';
      readonly executionArn: string;
      readonly outcome: Outcome;
      readonly path: readonly string[];
    }
  | {
      readonly status: 'TIMEOUT';
      readonly executionArn?: string;
      readonly path: readonly string[];
      readonly reason: string;
    }
  | {
      readonly status: 'ERROR';
      readonly executionArn: string;
      readonly path: readonly string[];
      readonly reason: string;
    };

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface DropEvent {
  detail?: { bucket?: { name?: string }; object?: { key?: string; etag?: string } };
}

/** The execution whose input is the S3 event for this very object, or undefined (not yet listed). */
export async function findExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  drop: UploadedDrop,
  seen: Set<string>,
): Promise<string | undefined> {
  // Executions list newest first; stop paging once they started before the upload.
  const since = drop.uploadedAt.getTime() - 60_000; // clock skew between us and AWS
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
    );
    for (const e of page.executions ?? []) {
      if (e.startDate && e.startDate.getTime() < since) return undefined;
      if (!e.executionArn || seen.has(e.executionArn)) continue;
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      const input = safeJson(d.input) as DropEvent | undefined;
      const o = input?.detail?.object;
      if (
        input?.detail?.bucket?.name === drop.bucket &&
        o?.key === drop.key &&
        o.etag?.replace(/"/g, '') === drop.etag
      )
        return e.executionArn;
      seen.add(e.executionArn); // someone else's: never describe it again
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

export async function followDrop(
  sfn: SFNClient,
  drop: UploadedDrop,
  options: FollowOptions,
): Promise<FollowResult> {
  const sleep = options.sleep ?? defaultSleep;
  const seen = new Set<string>();
  const path: string[] = [];
  let executionArn: string | undefined;
  let historyToken: string | undefined;
  let lastEventId = 0;
  for (;;) {
    if (!executionArn) executionArn = await findExecution(sfn, options.stateMachineArn, drop, seen);
    if (executionArn) {
      // Status first, then the history: an execution that ended is reported to its last state.
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      for (;;) {
        const h = await sfn.send(
          new GetExecutionHistoryCommand({
            executionArn,
            maxResults: 100,
            ...(historyToken ? { nextToken: historyToken } : {}),
          }),
        );
        for (const ev of h.events ?? []) {
          if ((ev.id ?? 0) <= lastEventId) continue;
          lastEventId = ev.id ?? lastEventId;
          const name = ev.stateEnteredEventDetails?.name;
          if (name) {
            path.push(name);
            options.onState?.(name, ev);
          }
        }
        if (!h.nextToken) break;
        historyToken = h.nextToken;
      }
      if (d.status && d.status !== 'RUNNING') {
        const text = d.status === 'SUCCEEDED' ? d.output : d.cause;
        try {
          return { status: 'DONE', executionArn, outcome: parseOutcome(text ?? ''), path };
        } catch (err) {
          return {
            status: 'ERROR',
            executionArn,
            path,
            reason: `The execution ended ${d.status}${d.error ? ` (${d.error})` : ''} without an outcome: ${(err as Error).message}`,
          };
        }
      }
    }
    if (Date.now() >= options.deadline.getTime())
      return executionArn
        ? {
            status: 'TIMEOUT',
            executionArn,
            path,
            reason: `The execution was still running at the deadline (${options.deadline.toISOString()}).`,
          }
        : {
            status: 'TIMEOUT',
            path,
            reason:
              'No pipeline execution started for the upload before the deadline (is the EventBridge rule enabled?).',
          };
    await sleep(options.pollMs);
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
