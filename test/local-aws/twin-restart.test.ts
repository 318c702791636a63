import { afterAll, describe, expect, it } from '@jest/globals';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { checkDrop } from '../../contract/check.ts';
import { parseOutcome } from '../../contract/outcome.ts';
import { generateDrop } from '../bench/generate.ts';
import { clients, drop } from './twin-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-restart-'));
let child: ChildProcess | undefined;
let twin: Twin | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `movies local` in its own process; resolves with its endpoint once it listens. */
function startChild(): Promise<string> {
  child = spawn(
    process.execPath,
    ['bin/movies.js', 'local', '--port', '0', '--data-dir', join(dir, 'twin')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /local twin on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.on('exit', (code) => reject(new Error(`movies local exited with ${code}: ${out}`)));
  });
}

describe('the twin across a crash', () => {
  it('marks an execution interrupted by a crash FAILED at the next start, alerts, and never leaves half a load', async () => {
    const file = join(dir, 'big.csv');
    await generateDrop(file, 60_000);
    const endpoint = await startChild();
    const c = clients(endpoint, 'us-east-1');
    const key = 'input_data/big.csv';
    await drop(c, 'movies-gds', key, readFileSync(file));
    // Wait until the ETL task is running, then kill the process without warning.
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:movies-pipeline';
    let executionArn = '';
    for (let i = 0; i < 600 && !executionArn; i++) {
      const list = await c.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      const e = list.executions?.[0];
      if (e) {
        const h = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn }));
        if (
          h.events?.some(
            (ev) => ev.type === 'TaskStateEntered' && ev.stateEnteredEventDetails?.name === 'Run ETL job',
          )
        )
          executionArn = e.executionArn!;
      }
      if (!executionArn) await new Promise((r) => setTimeout(r, 20));
    }
    expect(executionArn).not.toBe('');
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    // Held back, as `movies local` does until its bot listens.
    twin = await startTwin({ dataDir: join(dir, 'twin'), port: 0, holdInterruptedAlerts: true });
    expect(twin.sns.messages(twin.topics.failure)).toEqual([]);
    twin.reportInterrupted();
    const record = twin.stepFunctions.get(executionArn);
    const failure = {
      error: 'States.Runtime',
      cause: 'The local twin stopped while this execution was running.',
    };
    expect(record).toMatchObject({ status: 'FAILED', ...failure });
    // The history up to the crash survived it, and ends in the failure.
    const history = await clients(twin.endpoint, twin.region).sfn.send(
      new GetExecutionHistoryCommand({ executionArn }),
    );
    const names = history.events!.map((e) => e.stateEnteredEventDetails?.name).filter(Boolean);
    expect(names.at(-1)).toBe('Run ETL job');
    expect(history.events!.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: failure,
    });
    // Nobody would hear of it otherwise: the failure alert the state machine never got to send.
    const alerts = twin.sns.messages(twin.topics.failure).map((m) => parseOutcome(m.Message));
    expect(alerts).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        source: expect.objectContaining({ bucket: 'movies-gds', key }),
        execution: expect.objectContaining({ arn: executionArn }),
        error: { state: 'Run ETL job', ...failure },
      }),
    ]);
    // Told once: the next start does not tell again.
    await twin.stop();
    twin = await startTwin({ dataDir: join(dir, 'twin'), port: 0 });
    expect(twin.sns.messages(twin.topics.failure)).toHaveLength(1);
    const loaded = await twin.warehouse.query<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM movies WHERE source_key = $1',
      [key],
    );
    const whole = (await checkDrop(key, [readFileSync(file)])).decision.rowsToLoad;
    expect([0, whole]).toContain(loaded.rows[0]!.n);
  }, 180_000);
});
