import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { copySourceOf } from '../../contract/etl-results.ts';
import { parseOutcome } from '../../contract/outcome.ts';
import { clients, drop, finishedExecution, query, type Clients } from './twin-client.ts';

const CLEAN = readFileSync('data/clean/movies_2024_q1.csv');
const DEFECTS = readFileSync('data/defects/movies_2024_q2.csv');
const REJECTED = readFileSync('data/rejected/movies_2024_q3.csv');

let dir: string;
let twin: Twin;
let c: Clients;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'movies-twin-'));
  twin = await startTwin({ dataDir: dir, port: 0 });
  c = clients(twin.endpoint, twin.region);
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An execution's history events, in order. */
const historyOf = async (executionArn: string) =>
  (await c.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
const entered = (events: HistoryEvent[], state: string): number =>
  events.filter((e) => e.stateEnteredEventDetails?.name === state).length;
/** The times Glue refused the run's StartJobRun because the job was busy with another drop's. */
const jobBusy = (events: HistoryEvent[]): number =>
  events.filter(
    (e) =>
      e.type === 'TaskFailed' &&
      e.taskFailedEventDetails?.resource === 'Run ETL job' &&
      e.taskFailedEventDetails.error === 'Glue.ConcurrentRunsExceededException',
  ).length;

/** A clean drop of `rows` rows whose titles (hence movie ids) start with `tag`. */
function cleanDrop(tag: string, rows: number): string {
  const [header, first] = CLEAN.toString().split('\r\n');
  const lines = Array.from({ length: rows }, (_, i) => {
    const cells = first!.split(',');
    cells[1] = `${tag} ${i}`;
    return cells.join(',');
  });
  return [header, ...lines].join('\r\n') + '\r\n';
}

/** How Redshift words a serializable-isolation conflict, after its "ERROR: ". */
const SERIALIZABLE =
  '1023 DETAIL: Serializable isolation violation on table - 100245, transactions forming the cycle are: 3017, 3021 (pid:1073741953)';

const rowsFrom = async (key: string): Promise<number> =>
  Number(
    (
      await query(c, 'SELECT COUNT(*) AS n FROM movies WHERE source_key = :key', [
        { name: 'key', value: key },
      ])
    )[0]!.n,
  );

describe('the pipeline on the local twin, through AWS SDK clients', () => {
  it('clean drop: every row loads, the views refresh, the input is archived, success is published', async () => {
    const key = 'input_data/e2e/clean.csv';
    const etag = await drop(c, twin.bucket, key, CLEAN, {
      commit: 'abc123',
      actor: 'octocat',
      'pull-request': '7',
    });
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect(run.status).toBe('SUCCEEDED');
    const outcome = parseOutcome(run.output!);
    expect(outcome).toMatchObject({
      status: 'SUCCEEDED',
      source: { key, commit: 'abc123', actor: 'octocat', pullRequest: '7' },
      load: { rowsLoaded: 25 },
      quarantine: null,
    });
    expect(await rowsFrom(key)).toBe(25);
    const top = await query(c, 'SELECT title FROM mv_top_rated_movies ORDER BY weighted_rating DESC LIMIT 1');
    expect(top).toHaveLength(1);
    await expect(c.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    await c.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: `archive/${run.name}/${key}` }));
    expect(
      twin.sns
        .messages(twin.topics.success)
        .some((m) => parseOutcome(m.Message).execution.arn === run.executionArn),
    ).toBe(true);
    const history = await c.sfn.send(new GetExecutionHistoryCommand({ executionArn: run.executionArn }));
    expect(history.events?.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ExecutionStarted', 'TaskStateEntered', 'ExecutionSucceeded']),
    );
  }, 60_000);

  it('partial drop: bad rows are quarantined with their outcomes, good rows load', async () => {
    const key = 'input_data/e2e/defects.csv';
    const etag = await drop(c, twin.bucket, key, DEFECTS);
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    const outcome = parseOutcome(run.output!);
    expect(outcome).toMatchObject({ status: 'PARTIAL', load: { rowsLoaded: 22 }, quarantine: { rows: 8 } });
    expect(await rowsFrom(key)).toBe(22);
    const bad = await c.s3.send(
      new GetObjectCommand({
        Bucket: twin.bucket,
        Key: outcome.quarantine!.uri.replace(`s3://${twin.bucket}/`, ''),
      }),
    );
    const text = await bad.Body!.transformToString();
    expect(text.split('\n')[0]).toMatch(/^source_line,Poster_Link,.*,DataQualityEvaluationResult$/);
    expect(text).toContain('release_year is not a four-digit year');
    // Gates never route rows: they are not among the reasons, though bad.csv keeps their per-row outcome.
    const gates = outcome.quality!.rules.filter((r) => r.gate).map((r) => r.rule);
    expect(gates).toContain('Completeness "title" > 0.95');
    expect(outcome.quality!.reasons.filter((r) => gates.includes(r.reason))).toEqual([]);
    expect(outcome.quality!.reasons).toContainEqual({ reason: 'IsComplete "title"', rows: 1, lines: [28] });
    expect(text).toContain('Completeness \\""title\\"" > 0.95');
  }, 60_000);

  it('gated drop: nothing loads, the file is quarantined whole, the failure alert carries the outcome', async () => {
    const key = 'input_data/e2e/rejected.csv';
    const etag = await drop(c, twin.bucket, key, REJECTED);
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('QualityGateFailed');
    const outcome = parseOutcome(run.cause!);
    expect(outcome).toMatchObject({
      status: 'QUALITY_FAILED',
      quality: { gatesFailed: ['Rule_2'] },
      load: { rowsLoaded: 0 },
      quarantine: { rows: 20 },
    });
    expect(await rowsFrom(key)).toBe(0);
    await c.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: `bad_data/${run.name}/rejected.csv` }));
    expect(
      twin.sns.messages(twin.topics.failure).map((m) => parseOutcome(m.Message).execution.arn),
    ).toContain(run.executionArn);
  }, 60_000);

  it('malformed file: FAILED, with the state and a cause that names the file, line and fault', async () => {
    const key = 'input_data/e2e/semicolons.csv';
    const etag = await drop(c, twin.bucket, key, 'Series_Title;Released_Year;IMDB_Rating\nA;2000;8\n');
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect(run.status).toBe('FAILED');
    expect(parseOutcome(run.cause!)).toMatchObject({
      status: 'FAILED',
      error: {
        state: 'Run ETL job',
        error: 'States.TaskFailed',
        cause: `${key}:1: the header is separated by semicolons; drops must be comma-separated`,
      },
    });
  }, 60_000);

  it('re-drop of the same file: the same rows are updated, never duplicated', async () => {
    const before = Number((await query(c, 'SELECT COUNT(*) AS n FROM movies'))[0]!.n);
    const key = 'input_data/e2e/clean-again.csv';
    const etag = await drop(c, twin.bucket, key, CLEAN);
    expect((await finishedExecution(c, twin.stateMachineArn, key, etag)).status).toBe('SUCCEEDED');
    const after = Number((await query(c, 'SELECT COUNT(*) AS n FROM movies'))[0]!.n);
    expect(after).toBe(before);
    expect(await rowsFrom(key)).toBe(25); // the rows now name their latest source
  }, 60_000);

  it('a key with a space, a plus and a non-ASCII letter is loaded, archived under the same key and deleted', async () => {
    const [header, row] = CLEAN.toString().split('\r\n');
    const cells = row!.split(',');
    cells[1] = 'Amélie Encoded';
    const key = 'input_data/e2e/Amélie + friends.csv';
    const body = `${header}\r\n${cells.join(',')}\r\n`;
    const etag = await drop(c, twin.bucket, key, body);
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect([run.status, run.error ?? null, run.cause ?? null]).toEqual(['SUCCEEDED', null, null]);
    expect(parseOutcome(run.output!)).toMatchObject({ status: 'SUCCEEDED', source: { key } });
    expect(await rowsFrom(key)).toBe(1);
    await expect(c.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    const archived = await c.s3.send(
      new GetObjectCommand({ Bucket: twin.bucket, Key: `archive/${run.name}/${key}` }),
    );
    expect(await archived.Body!.transformToString()).toBe(body);
  }, 60_000);

  it('reads CopyObject’s CopySource URL-encoded, as S3 does: a + is a space, a stray % is refused', async () => {
    const from = 'e2e/copy/a+b c.csv';
    await c.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key: from, Body: 'x' }));
    const copy = (source: string): Promise<unknown> =>
      c.s3.send(new CopyObjectCommand({ Bucket: twin.bucket, Key: 'e2e/copy/to.csv', CopySource: source }));
    await copy(copySourceOf(twin.bucket, from));
    expect(
      await (
        await c.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: 'e2e/copy/to.csv' }))
      ).Body!.transformToString(),
    ).toBe('x');
    await expect(copy(`${twin.bucket}/e2e/copy/a+b%20c.csv`)).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(copy(`${twin.bucket}/e2e/copy/100%.csv`)).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('20 concurrent drops: 20 executions, every row loaded exactly once', async () => {
    const header = CLEAN.toString().split('\r\n')[0]!;
    const row = CLEAN.toString().split('\r\n')[1]!.split(',');
    const files = Array.from({ length: 20 }, (_, f) => {
      const lines = Array.from({ length: 10 }, (_, i) => {
        const cells = [...row];
        cells[1] = `Concurrent Film ${f}-${i}`;
        return cells.join(',');
      });
      return [header, ...lines].join('\r\n') + '\r\n';
    });
    const keys = files.map((_, f) => `input_data/e2e/concurrent/${f}.csv`);
    const etags = await Promise.all(files.map((body, f) => drop(c, twin.bucket, keys[f]!, body)));
    const runs = await Promise.all(
      keys.map((key, f) => finishedExecution(c, twin.stateMachineArn, key, etags[f]!, 120_000)),
    );
    expect(runs.map((r) => r.status)).toEqual(Array(20).fill('SUCCEEDED'));
    // The job runs one at a time: the runs that found it busy queued, and none ran out of attempts.
    const refusals = await Promise.all(runs.map(async (r) => jobBusy(await historyOf(r.executionArn!))));
    expect(refusals.some((n) => n > 0)).toBe(true);
    expect(Math.max(...refusals)).toBeLessThan(80);
    const n = await query(
      c,
      "SELECT COUNT(*) AS n, COUNT(DISTINCT movie_id) AS d FROM movies WHERE source_key LIKE 'input_data/e2e/concurrent/%'",
    );
    expect(n[0]).toEqual({ n: 200, d: 200 });
  }, 180_000);

  it('two drops at once: the job runs one at a time, the second run retries until it is free, both succeed', async () => {
    // Large enough that one load is still running when the other run asks for the job.
    const keys = ['input_data/e2e/together/a.csv', 'input_data/e2e/together/b.csv'];
    const etags = await Promise.all(
      keys.map((key, i) => drop(c, twin.bucket, key, cleanDrop(`Together ${i}`, 2000))),
    );
    const runs = await Promise.all(
      keys.map((key, i) => finishedExecution(c, twin.stateMachineArn, key, etags[i]!)),
    );
    expect(runs.map((r) => [r.status, r.error ?? null])).toEqual([
      ['SUCCEEDED', null],
      ['SUCCEEDED', null],
    ]);
    const histories = await Promise.all(runs.map((r) => historyOf(r.executionArn!)));
    const refusals = histories.map(jobBusy);
    expect(refusals.filter((n) => n > 0)).toHaveLength(1);
    // The refused run went on to load once the other was done: Run ETL job was entered once, and left.
    const queued = histories[refusals.findIndex((n) => n > 0)]!;
    expect(entered(queued, 'Run ETL job')).toBe(1);
    expect(queued.filter((e) => e.stateExitedEventDetails?.name === 'Run ETL job')).toHaveLength(1);
    expect(queued.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails?.cause).toMatch(
      /^Concurrent runs exceeded for movie_data_analysis/,
    );
    for (const key of keys) expect(await rowsFrom(key)).toBe(2000);
  }, 60_000);

  it('a refresh Redshift aborts once for a serializable-isolation conflict is resubmitted, and the run succeeds', async () => {
    twin.redshift.failBatches(SERIALIZABLE);
    const key = 'input_data/e2e/conflict-once.csv';
    const etag = await drop(c, twin.bucket, key, cleanDrop('Conflict once', 3));
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect([run.status, run.error ?? null]).toEqual(['SUCCEEDED', null]);
    const events = await historyOf(run.executionArn!);
    expect(entered(events, 'Refresh views')).toBe(2);
    expect(entered(events, 'Count refresh conflicts')).toBe(1);
    expect(
      await query(c, "SELECT COUNT(*) AS n FROM mv_top_rated_movies WHERE title LIKE 'Conflict once %'"),
    ).toEqual([{ n: 3 }]);
  }, 60_000);

  it('a refresh that keeps conflicting is resubmitted 5 times, then the run fails with RefreshConflict and the alert says why', async () => {
    twin.redshift.failBatches(SERIALIZABLE, 6);
    const key = 'input_data/e2e/conflict-always.csv';
    const etag = await drop(c, twin.bucket, key, cleanDrop('Conflict always', 3));
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect([run.status, run.error]).toEqual(['FAILED', 'RefreshConflict']);
    expect(parseOutcome(run.cause!).error).toEqual({
      state: 'Get refresh status',
      error: 'RefreshConflict',
      cause: expect.stringMatching(
        /^Redshift aborted the view refresh for a serializable-isolation conflict .* resubmitted 5 times with backoff, it never finished\. The last error: ERROR: 1023 DETAIL: Serializable isolation violation/,
      ),
    });
    expect(entered(await historyOf(run.executionArn!), 'Refresh views')).toBe(6);
    expect(
      twin.sns.messages(twin.topics.failure).map((m) => parseOutcome(m.Message).execution.arn),
    ).toContain(run.executionArn);
    await c.s3.send(new HeadObjectCommand({ Bucket: twin.bucket, Key: key })); // not archived
  }, 60_000);

  it('a refresh that fails for another reason is not resubmitted: RefreshFailed with Redshift’s error, as before', async () => {
    twin.redshift.failBatches('permission denied for materialized view mv_top_rated_movies');
    const key = 'input_data/e2e/refresh-denied.csv';
    const etag = await drop(c, twin.bucket, key, cleanDrop('Refresh denied', 3));
    const run = await finishedExecution(c, twin.stateMachineArn, key, etag);
    expect([run.status, run.error]).toEqual(['FAILED', 'RefreshFailed']);
    expect(parseOutcome(run.cause!).error).toEqual({
      state: 'Get refresh status',
      error: 'RefreshFailed',
      cause: 'ERROR: permission denied for materialized view mv_top_rated_movies',
    });
    expect(entered(await historyOf(run.executionArn!), 'Refresh views')).toBe(1);
  }, 60_000);

  it('serves unmodified SDK clients configured by the environment alone (AWS_ENDPOINT_URL)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, twin.env);
    try {
      const { S3Client, ListBucketsCommand } = await import('@aws-sdk/client-s3');
      const { SFNClient, ListStateMachinesCommand } = await import('@aws-sdk/client-sfn');
      expect((await new S3Client({}).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(
        'movies-gds',
      );
      expect((await new SFNClient({}).send(new ListStateMachinesCommand({}))).stateMachines?.[0]?.name).toBe(
        'movies-pipeline',
      );
    } finally {
      process.env = saved;
    }
  });

  it('binds named parameters, but not inside quotes, comments or casts', async () => {
    const sql = `SELECT ':key' AS quoted, :key AS bound, '7'::int AS cast -- :absent
      /* :absent */`;
    expect(await query(c, sql, [{ name: 'key', value: "x'; DROP TABLE movies; --" }])).toEqual([
      { quoted: ':key', bound: "x'; DROP TABLE movies; --", cast: 7 },
    ]);
    await expect(query(c, 'SELECT :absent AS a', [])).rejects.toThrow(/:absent/);
  });

  it('copies only while the source still has the ETag the copy names (x-amz-copy-source-if-match), like S3', async () => {
    const Key = 'scratch/if-match.csv';
    const { ETag } = await c.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key, Body: 'a,b\n' }));
    const copy = (CopySourceIfMatch: string) =>
      c.s3.send(
        new CopyObjectCommand({
          Bucket: twin.bucket,
          Key: 'scratch/copied.csv',
          CopySource: copySourceOf(twin.bucket, Key),
          CopySourceIfMatch,
        }),
      );
    await expect(copy('"not-its-etag"')).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    await expect(copy(ETag!)).resolves.toMatchObject({ CopyObjectResult: { ETag } });
  });

  it('lists objects with pagination and serves ranges, like S3', async () => {
    const list = await c.s3.send(
      new ListObjectsV2Command({ Bucket: twin.bucket, Prefix: 'archive/', MaxKeys: 2 }),
    );
    expect(list.KeyCount).toBe(2);
    expect(list.IsTruncated).toBe(true);
    const next = await c.s3.send(
      new ListObjectsV2Command({
        Bucket: twin.bucket,
        Prefix: 'archive/',
        MaxKeys: 2,
        ContinuationToken: list.NextContinuationToken,
      }),
    );
    expect(String(next.Contents?.[0]?.Key) > String(list.Contents?.[1]?.Key)).toBe(true);
    // Version 1 of the listing pages by marker.
    const v1 = await c.s3.send(
      new ListObjectsCommand({
        Bucket: twin.bucket,
        Prefix: 'archive/',
        MaxKeys: 2,
        Marker: list.Contents![0]!.Key,
      }),
    );
    expect(v1.Contents?.map((o) => o.Key)).toEqual([list.Contents![1]!.Key, next.Contents![0]!.Key]);
    expect(v1.IsTruncated).toBe(true);
    const key = list.Contents![0]!.Key!;
    const part = await c.s3.send(
      new GetObjectCommand({ Bucket: twin.bucket, Key: key, Range: 'bytes=0-11' }),
    );
    expect(await part.Body!.transformToString()).toBe('Poster_Link,');
    await expect(c.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: 'nope' }))).rejects.toMatchObject(
      { name: 'NoSuchKey' },
    );
  }, 30_000);
});
