/**
 * The warehouse under the twin's Data API, through the AWS SDK: long and runaway statements stall
 * nothing else, CancelStatement stops them, a stop always stops, and results keep their columns.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
} from '@aws-sdk/client-redshift-data';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, query, type Clients } from './twin-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-twin-warehouse-'));
let twin: Twin;
let c: Clients;
let sns: SNSClient;

beforeAll(async () => {
  twin = await startTwin({ dataDir: join(dir, 'twin'), port: 0 });
  c = clients(twin.endpoint, twin.region);
  sns = new SNSClient({ endpoint: twin.endpoint, region: twin.region, credentials: c.s3.config.credentials });
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const target = { WorkgroupName: 'movies', Database: 'movies' };

async function execute(sql: string): Promise<string> {
  return (await c.redshift.send(new ExecuteStatementCommand({ ...target, Sql: sql }))).Id!;
}

const describeStatement = (Id: string): Promise<DescribeStatementCommandOutput> =>
  c.redshift.send(new DescribeStatementCommand({ Id }));

/** The statement once it has left SUBMITTED, PICKED and STARTED (or as it is after `ms`). */
async function settled(Id: string, ms = 30_000): Promise<DescribeStatementCommandOutput> {
  const deadline = Date.now() + ms;
  for (;;) {
    const d = await describeStatement(Id);
    if (!['SUBMITTED', 'PICKED', 'STARTED'].includes(d.Status!) || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function started(Id: string): Promise<void> {
  while ((await describeStatement(Id)).Status !== 'STARTED') await new Promise((r) => setTimeout(r, 10));
}

describe('the warehouse behind the twin', () => {
  it('answers S3, Step Functions and SNS while a long statement runs', async () => {
    const sleeping = await execute('SELECT pg_sleep(30)');
    await started(sleeping);
    await c.s3.send(
      new PutObjectCommand({ Bucket: twin.bucket, Key: 'notes/while.txt', Body: 'still here' }),
    );
    const got = await c.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: 'notes/while.txt' }));
    expect(await got.Body!.transformToString()).toBe('still here');
    await c.sfn.send(new ListExecutionsCommand({ stateMachineArn: twin.stateMachineArn }));
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toHaveLength(2);
    // All of that was answered before the statement ended: it still runs.
    expect((await describeStatement(sleeping)).Status).toBe('STARTED');
    await c.redshift.send(new CancelStatementCommand({ Id: sleeping }));
  });

  it('cancels a running statement: ABORTED, its transaction undone, committed data kept, queued statements run', async () => {
    await query(c, 'CREATE TABLE notes (n int)');
    await query(c, 'INSERT INTO notes VALUES (1)');
    const { Id: batch } = await c.redshift.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: ['INSERT INTO notes VALUES (2)', 'SELECT pg_sleep(600)'],
      }),
    );
    await started(batch!);
    const queued = await execute('SELECT 42 AS answer');
    expect((await c.redshift.send(new CancelStatementCommand({ Id: batch }))).Status).toBe(true);
    expect(await settled(queued)).toMatchObject({ Status: 'FINISHED', ResultRows: 1 });
    expect((await settled(batch!)).Status).toBe('ABORTED');
    expect(await query(c, 'SELECT n FROM notes ORDER BY n')).toEqual([{ n: 1 }]);
    // Cancelling a statement that has ended changes nothing, as in Redshift.
    expect((await c.redshift.send(new CancelStatementCommand({ Id: queued }))).Status).toBe(false);
  });

  it('returns each column by position, even two of the same name', async () => {
    const Id = await execute("SELECT 1 AS a, 2 AS a, 'x' AS b");
    expect((await settled(Id)).Status).toBe('FINISHED');
    const r = await c.redshift.send(new GetStatementResultCommand({ Id }));
    expect(r.ColumnMetadata!.map((m) => m.name)).toEqual(['a', 'a', 'b']);
    expect(r.Records).toEqual([[{ longValue: 1 }, { longValue: 2 }, { stringValue: 'x' }]]);
  });
});

describe('SQL that Redshift does not have', () => {
  it.each([
    [
      "COPY (SELECT '99') TO '/pglite/data/PG_VERSION'",
      /^ERROR: COPY \.\.\. TO is not supported in Redshift/,
    ],
    ["COPY (SELECT 1) TO PROGRAM 'true'", /^ERROR: COPY \.\.\. TO is not supported in Redshift/],
    ["COPY movies FROM '/pglite/data/PG_VERSION'", /^ERROR: COPY \.\.\. FROM a file or program/],
    ["SELECT pg_read_file('PG_VERSION')", /^ERROR: function pg_read_file is not supported in Redshift/],
    ["SELECT lo_export(lo_from_bytea(0, '99'), '/pglite/data/PG_VERSION')", /^ERROR: function lo_export/],
    [
      "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''true'''; END $$",
      /^ERROR: DO blocks are not supported/,
    ],
    [
      "CREATE FUNCTION brick() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'CO' || 'PY (SELECT 99) TO ''/pglite/data/PG_VERSION'''; END $$",
      /^ERROR: EXECUTE of SQL built at run time is not supported by the local twin/,
    ],
    ["ALTER SYSTEM SET shared_buffers = 'nonsense'", /^ERROR: ALTER SYSTEM is not supported in Redshift/],
    [
      'UPDATE pg_authid SET rolsuper = false WHERE rolname = current_user',
      /^ERROR: writing to the system catalogs/,
    ],
  ])('fails %s as Redshift would, and the warehouse is untouched', async (sql, error) => {
    const version = readFileSync(join(dir, 'twin', 'warehouse', 'PG_VERSION'), 'utf8');
    expect(await settled(await execute(sql))).toMatchObject({
      Status: 'FAILED',
      Error: expect.stringMatching(error),
    });
    expect(readFileSync(join(dir, 'twin', 'warehouse', 'PG_VERSION'), 'utf8')).toBe(version);
    expect(await query(c, 'SELECT 1 AS still')).toEqual([{ still: 1 }]);
  });

  it('fails a batch at the statement Redshift refuses, running none of it', async () => {
    const { Id } = await c.redshift.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: ['CREATE TABLE refused (n int)', "COPY refused TO '/tmp/refused.csv'"],
      }),
    );
    const d = await settled(Id!);
    expect(d.Status).toBe('FAILED');
    expect(d.SubStatements!.map((s) => s.Status)).toEqual(['FINISHED', 'FAILED']);
    expect(await query(c, "SELECT COUNT(*)::int AS n FROM pg_tables WHERE tablename = 'refused'")).toEqual([
      { n: 0 },
    ]);
  });
});

describe('stopping the twin', () => {
  it('stops within its deadline while a statement runs, and the warehouse opens again with its data', async () => {
    const at = join(dir, 'stopping');
    let other = await startTwin({ dataDir: at, port: 0, stopTimeoutMs: 500 });
    const o = clients(other.endpoint, other.region);
    await query(o, 'CREATE TABLE kept (n int)');
    await query(o, 'INSERT INTO kept VALUES (7)');
    const { Id } = await o.redshift.send(
      new ExecuteStatementCommand({ ...target, Sql: 'SELECT pg_sleep(600)' }),
    );
    while ((await o.redshift.send(new DescribeStatementCommand({ Id }))).Status !== 'STARTED')
      await new Promise((r) => setTimeout(r, 10));
    await other.stop();
    other = await startTwin({ dataDir: at, port: 0 });
    try {
      expect(await query(clients(other.endpoint, other.region), 'SELECT n FROM kept')).toEqual([{ n: 7 }]);
    } finally {
      await other.stop();
    }
  });
});

describe('each statement in a session of its own, as in Redshift', () => {
  it('leaves no setting, user, transaction or temporary table to the next caller or the pipeline', async () => {
    for (const sql of [
      'SET default_transaction_read_only = on',
      'SET SESSION AUTHORIZATION movies_bot',
      'BEGIN',
      'CREATE TEMP TABLE left_behind (n int)',
    ])
      expect(await settled(await execute(sql))).toMatchObject({ Status: 'FINISHED' });
    const admin = await query(c, 'SELECT current_user AS who');
    expect(admin).not.toEqual([{ who: 'movies_bot' }]);
    expect(await settled(await execute('CREATE TABLE written_after (n int)'))).toMatchObject({
      Status: 'FINISHED',
    });
    expect(await query(c, "SELECT count(*) AS n FROM pg_class WHERE relname = 'left_behind'")).toEqual([
      { n: 0 },
    ]);
    expect(await query(c, "SELECT count(*) AS n FROM pg_class WHERE relname = 'never_committed'")).toEqual([
      { n: 0 },
    ]);
    await settled(await execute('BEGIN; CREATE TABLE never_committed (n int)'));
    expect(await query(c, "SELECT count(*) AS n FROM pg_class WHERE relname = 'never_committed'")).toEqual([
      { n: 0 },
    ]);
  });
});

describe("the Data API's size limits", () => {
  it('refuses a statement over 100 KB, and a body over 1 MiB before reading it, while S3 answers', async () => {
    const big = `SELECT '${'x'.repeat(101 * 1024)}'`;
    await expect(c.redshift.send(new ExecuteStatementCommand({ ...target, Sql: big }))).rejects.toThrow(
      /the Data API takes at most 102400 \(100 KB\)/,
    );
    const r = await fetch(twin.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'RedshiftData.ExecuteStatement',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ ...target, Sql: `SELECT '${'x'.repeat(2 << 20)}'` }),
    });
    expect(r.status).toBe(413);
    expect(await r.text()).toContain('RequestEntityTooLarge');
    await c.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key: 'limits/ok.txt', Body: 'ok' }));
  });
});
