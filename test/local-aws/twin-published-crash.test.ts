/**
 * A crash after an execution published its outcome but before its end was saved: the next start
 * ends it as that outcome says, and sends no second, contradicting alert. The data directory is
 * left as such a crash leaves it: the record RUNNING, its history up to the publish state, the
 * message in the topic's log.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOutcome } from '../../contract/outcome.ts';
import type { ExecutionRecord } from '../../local-aws/stepfunctions.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, drop, finishedExecution } from './twin-client.ts';

const root = mkdtempSync(join(tmpdir(), 'movies-published-crash-'));
let twin: Twin | undefined;
afterEach(async () => {
  await twin?.stop();
  twin = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `file` to its end, then rewinds its saved record to the moment `state` was entered. */
async function crashedAfterEntering(dataDir: string, file: string, state: string): Promise<string> {
  twin = await startTwin({ dataDir, port: 0 });
  const c = clients(twin.endpoint, twin.region);
  const key = `input_data/${file.split('/').at(-1)}`;
  const etag = await drop(c, twin.bucket, key, readFileSync(file));
  const { executionArn } = await finishedExecution(c, twin.stateMachineArn, key, etag);
  await twin.stop();
  twin = undefined;

  const dir = join(dataDir, 'stepfunctions');
  const name = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ExecutionRecord;
  const at = record.history.findIndex(
    (e) => e.type === 'TaskStateEntered' && (e.stateEnteredEventDetails as { name: string }).name === state,
  );
  expect(at).toBeGreaterThan(0);
  const { stopDate: _s, output: _o, error: _e, cause: _c, ...running } = record;
  writeFileSync(
    join(dir, name),
    JSON.stringify({ ...running, status: 'RUNNING', history: record.history.slice(0, at + 1) }),
  );
  return executionArn!;
}

describe('a crash after the outcome was published', () => {
  it('ends a successful run SUCCEEDED, with no failure alert', async () => {
    const dataDir = join(root, 'success');
    const arn = await crashedAfterEntering(dataDir, 'data/clean/movies_2024_q1.csv', 'Publish success');
    twin = await startTwin({ dataDir, port: 0 });
    expect(twin.stepFunctions.get(arn)).toMatchObject({ status: 'SUCCEEDED' });
    expect(twin.sns.messages(twin.topics.failure)).toEqual([]);
    const success = twin.sns.messages(twin.topics.success).map((m) => parseOutcome(m.Message).status);
    expect(success).toEqual(['SUCCEEDED']);
    const history = await clients(twin.endpoint, twin.region).sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn }),
    );
    expect(history.events!.at(-1)!.type).toBe('ExecutionSucceeded');
  }, 120_000);

  it('ends a rejected drop as the quality gate does, with its one quality alert', async () => {
    const dataDir = join(root, 'quality');
    const arn = await crashedAfterEntering(
      dataDir,
      'data/rejected/movies_2024_q3.csv',
      'Publish quality alert',
    );
    twin = await startTwin({ dataDir, port: 0 });
    expect(twin.stepFunctions.get(arn)).toMatchObject({ status: 'FAILED', error: 'QualityGateFailed' });
    const alerts = twin.sns.messages(twin.topics.failure).map((m) => parseOutcome(m.Message).status);
    expect(alerts).toEqual(['QUALITY_FAILED']);
  }, 120_000);
});
