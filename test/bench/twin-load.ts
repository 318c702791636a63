/**
 * The twin under load (part of `npm run bench`): how long S3, Step Functions and SNS take to
 * answer (a) while a 10 s statement runs in the warehouse and (b) while a 500-row drop runs
 * through the pipeline with 1M rows already in the warehouse, and that drop's time end to end.
 * The twin runs as `movies local` in its own process; this process only asks and times.
 */
import '../../cli/node-warnings.ts';
import { DescribeStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_BUCKET, LOCAL_STATE_MACHINE_ARN } from '../../local-aws/names.ts';
import { clients, drop, finishedExecution, type Clients } from '../local-aws/twin-client.ts';
import { generateDrop } from './generate.ts';
import { startTwinProcess } from './twin-process.ts';

const TARGET_MS = 200;
const SEED_ROWS = Number(process.env.BENCH_TWIN_ROWS ?? 1_000_000);

const dataDir = mkdtempSync(join(tmpdir(), 'movies-bench-twin-load-'));
const { process: twin, endpoint } = await startTwinProcess(dataDir);
const c = clients(endpoint, 'us-east-1');
const sns = new SNSClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
});

/** Submits SQL through the Data API and waits for it; resolves with the statement's id. */
async function run(r: Clients, sql: string, until: 'STARTED' | 'FINISHED'): Promise<string> {
  const { Id } = await r.redshift.send(
    new ExecuteStatementCommand({ WorkgroupName: 'movies', Database: 'movies', Sql: sql }),
  );
  for (;;) {
    const d = await r.redshift.send(new DescribeStatementCommand({ Id }));
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') throw new Error(`${sql}: ${d.Error ?? d.Status}`);
    if (d.Status === until || d.Status === 'FINISHED') return Id!;
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Each API asked in turn, every 20 ms, until `done` settles: each call's time, by API. */
async function probe(done: Promise<unknown>): Promise<Record<string, number[]>> {
  const calls: Record<string, () => Promise<unknown>> = {
    S3: () => c.s3.send(new HeadObjectCommand({ Bucket: LOCAL_BUCKET, Key: 'bench/probe.txt' })),
    'Step Functions': () =>
      c.sfn.send(new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, maxResults: 1 })),
    SNS: () => sns.send(new ListTopicsCommand({})),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(calls).map((k) => [k, []]));
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished)
    for (const [name, call] of Object.entries(calls)) {
      const start = performance.now();
      await call();
      times[name]!.push(performance.now() - start);
      await new Promise((res) => setTimeout(res, 20));
    }
  return times;
}

const p99 = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`.padStart(9);

function table(title: string, times: Record<string, number[]>): string[] {
  return [
    title,
    `  ${'API'.padEnd(16)}${'calls'.padStart(7)}${'p99'.padStart(9)}${'max'.padStart(9)}${'target'.padStart(9)}`,
    ...Object.entries(times).map(([name, xs]) => {
      const worst = Math.max(...xs);
      return `  ${name.padEnd(16)}${String(xs.length).padStart(7)}${ms(p99(xs))}${ms(worst)}${ms(TARGET_MS)}  ${worst <= TARGET_MS ? 'ok' : 'MISSED'}`;
    }),
  ];
}

try {
  await drop(c, LOCAL_BUCKET, 'bench/probe.txt', 'probe');

  // (a) A 10 s statement.
  const sleeping = run(c, 'SELECT pg_sleep(10)', 'FINISHED');
  const during = await probe(sleeping);

  // (b) 1M rows in the warehouse (made by SQL: seeding through the pipeline would take minutes), then a 500-row drop.
  const seedStart = performance.now();
  await run(
    c,
    `INSERT INTO movies (movie_id, title, release_year, genres, imdb_rating, votes, primary_genre, director, source_key, loaded_at)
     SELECT 'bench-' || g, 'Bench Film ' || g, 1950 + g % 70, 'Drama, Crime', 6 + (g % 30) / 10.0, 1000 + g,
            'Drama', 'Ann Lee', 'bench/seed.csv', now()
     FROM generate_series(1, ${SEED_ROWS}) g`,
    'FINISHED',
  );
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const file = join(dataDir, 'drop-500.csv');
  await generateDrop(file, 500, 7);
  const key = 'input_data/bench/drop-500.csv';
  const dropStart = performance.now();
  const etag = await drop(c, LOCAL_BUCKET, key, readFileSync(file));
  const execution = finishedExecution(c, LOCAL_STATE_MACHINE_ARN, key, etag, 300_000);
  const duringDrop = await probe(execution);
  const { status } = await execution;
  const dropSeconds = (performance.now() - dropStart) / 1000;

  console.log(
    [
      '',
      ...table("(a) the twin's APIs while `SELECT pg_sleep(10)` runs through the Data API", during),
      '',
      `(b) a 500-row drop with ${SEED_ROWS.toLocaleString('en-US')} rows in the warehouse (seeded in ${seedSeconds.toFixed(1)} s)`,
      `  end to end (PutObject to the execution's end): ${dropSeconds.toFixed(1)} s, ${status}`,
      ...table("  the twin's APIs during the drop", duringDrop).slice(1),
      '',
    ].join('\n'),
  );
} finally {
  twin.kill('SIGTERM');
  await new Promise((res) => twin.once('exit', res));
  rmSync(dataDir, { recursive: true, force: true });
}
