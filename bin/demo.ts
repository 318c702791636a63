/**
 * `npm run demo`: the whole flow offline. Starts the local twin in-process, drops the sample
 * files from data/ into S3 with the AWS SDK (as the GitHub Action does on merge), waits for the
 * pipeline's executions, and prints each outcome and the top rows of each view.
 */
import {
  ExecuteStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startTwin } from '../infra/local/twin.ts';
import { parseOutcome, type Outcome } from '../infra/pipeline/outcome.ts';
import { VIEW_NAMES } from '../infra/pipeline/sql.ts';

// The AWS SDK warns that its 2027 releases will need Node 22; this project supports Node 20.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'NodeVersionSupportWarning') console.warn(w);
});

const DROPS = [
  'data/clean/movies_2024_q1.csv',
  'data/defects/movies_2024_q2.csv',
  'data/rejected/movies_2024_q3.csv',
];
const out = (line = ''): void => void process.stdout.write(`${line}\n`);

const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'movies-demo-'));
out(
  'movies-gds demo: the AWS side runs locally (S3, EventBridge, Step Functions, Glue-equivalent ETL, warehouse, SNS).',
);
const twin = await startTwin({ dataDir, port: 0 });
out(`Local twin up on ${twin.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
const aws = {
  endpoint: twin.endpoint,
  region: twin.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const s3 = new S3Client(aws);
const sfn = new SFNClient(aws);
const redshift = new RedshiftDataClient(aws);

try {
  for (const file of DROPS) {
    const key = `input_data/${relative('data', file)}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: twin.bucket,
        Key: key,
        Body: readFileSync(file),
        ContentType: 'text/csv',
        Metadata: { actor: 'demo', repository: 'movies-gds/demo' },
      }),
    );
    out(`dropped ${file} → s3://${twin.bucket}/${key}`);
  }
  out('\nwaiting for the pipeline...\n');
  const outcomes = await waitForOutcomes(DROPS.length);
  for (const o of outcomes) printOutcome(o);
  for (const view of VIEW_NAMES) await printView(view);
  out(
    `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Try it yourself: npx movies local (then the AWS CLI or SDK with AWS_ENDPOINT_URL).`,
  );
} finally {
  await twin.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function waitForOutcomes(count: number): Promise<Outcome[]> {
  for (;;) {
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: twin.stateMachineArn }));
    const runs = list.executions ?? [];
    if (runs.length >= count && runs.every((e) => e.status !== 'RUNNING')) {
      const outcomes = await Promise.all(
        runs.map(async (e) => {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
          return parseOutcome(d.status === 'SUCCEEDED' ? d.output! : d.cause!);
        }),
      );
      return outcomes.sort((a, b) => (a.source.key < b.source.key ? -1 : 1));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function printOutcome(o: Outcome): void {
  const icon = { SUCCEEDED: '✅', PARTIAL: '⚠️ ', QUALITY_FAILED: '❌', FAILED: '💥' }[o.status];
  out(`${icon} ${o.source.key}: ${o.status}`);
  if (o.quality)
    out(
      `   rows: ${o.quality.rowsProcessed} read, ${o.load?.rowsLoaded ?? 0} loaded, ${o.quarantine?.rows ?? 0} quarantined (score ${o.quality.score.toFixed(2)})`,
    );
  for (const r of o.quality?.rules.filter((x) => x.result !== 'PASS') ?? []) {
    const metrics = Object.entries(r.metrics)
      .map(([k, v]) => `${k.split('.').slice(2).join('.')}=${Number(v.toPrecision(4))}`)
      .join(' ');
    out(`   ${r.gate ? 'gate' : 'rows'} ${r.result} ${r.rule}  ${metrics}`);
  }
  if (o.quarantine) out(`   quarantine: ${o.quarantine.uri}`);
  if (o.error) out(`   error in ${o.error.state}: ${o.error.error}: ${o.error.cause}`);
  out();
}

async function printView(view: string): Promise<void> {
  const order = {
    mv_top_rated_movies: 'weighted_rating DESC',
    mv_genre_statistics: 'movies DESC, genre',
    mv_yearly_trends: 'release_year DESC',
  }[view];
  const { Id } = await redshift.send(
    new ExecuteStatementCommand({
      WorkgroupName: 'movies',
      Database: 'movies',
      Sql: `SELECT * FROM ${view} ORDER BY ${order} LIMIT 5`,
    }),
  );
  for (;;) {
    const d = await redshift.send(new DescribeStatementCommand({ Id }));
    if (d.Status === 'FINISHED') break;
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') throw new Error(`${view}: ${d.Error}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const r = await redshift.send(new GetStatementResultCommand({ Id }));
  const names = (r.ColumnMetadata ?? []).map((c) => c.name!);
  const rows = (r.Records ?? []).map((rec) => rec.map(cell));
  const widths = names.map((n, i) => Math.min(28, Math.max(n.length, ...rows.map((row) => row[i]!.length))));
  out(`${view} (top ${rows.length})`);
  out(`  ${names.map((n, i) => n.padEnd(widths[i]!)).join('  ')}`);
  for (const row of rows)
    out(
      `  ${row.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ')}`,
    );
  out();
}

function cell(f: Field): string {
  if (f.isNull) return '–';
  return String(f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? '');
}
