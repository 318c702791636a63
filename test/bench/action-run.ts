/**
 * The Action's benchmark (part of `npm run bench`): a ~1 GB drop uploaded to the local twin by
 * the Action's upload core (multipart, bounded memory) vs a single PutObject of the same file
 * with the same SDK, each in its own process for its own peak RSS; and the delay between an
 * execution's end and the Action reporting it.
 */
import '../../cli/node-warnings.ts';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followDrop } from '../../drop-client/follow.ts';
import { uploadDrop } from '../../drop-client/upload.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-aws/names.ts';
import { generateDrop } from './generate.ts';
import { startTwinProcess } from './twin-process.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const rows = Number(process.env.BENCH_UPLOAD_ROWS ?? 4_000_000);
const file = join(tmpdir(), `movies-bench-${rows}.csv`);
if (!existsSync(file)) await generateDrop(file, rows);
const mb = statSync(file).size / 1e6;

const dataDir = mkdtempSync(join(tmpdir(), 'movies-bench-twin-'));
const { process: twin, endpoint } = await startTwinProcess(dataDir);

try {
  const upload = (how: string): { seconds: number; maxRssMB: number } =>
    JSON.parse(
      execFileSync(tsx, [join(here, 'upload-child.ts'), how, file, endpoint, `bench/${how}.csv`], {
        encoding: 'utf8',
      }),
    ) as { seconds: number; maxRssMB: number };
  const ours = upload('ours');
  const single = upload('single');

  // Report delay: a small drop through the whole pipeline, polled every second.
  const aws = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const s3 = new S3Client({ ...aws, forcePathStyle: true });
  const sfn = new SFNClient(aws);
  const pollMs = 1000;
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    const drop = await uploadDrop(
      s3,
      'data/clean/movies_2024_q1.csv',
      'movies-gds',
      `input_data/bench/delay-${i}.csv`,
      {},
    );
    const followed = await followDrop(sfn, drop, {
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      pollMs,
      deadline: new Date(Date.now() + 120_000),
    });
    const reportedAt = Date.now();
    if (followed.status !== 'DONE') throw new Error(`the delay run did not finish: ${followed.status}`);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: followed.executionArn }));
    delays.push(reportedAt - d.stopDate!.getTime());
  }

  const row = (name: string, r: { seconds: number; maxRssMB: number }): string =>
    `${name.padEnd(34)}${r.seconds.toFixed(2).padStart(9)} s${(mb / r.seconds).toFixed(0).padStart(8)} MB/s${r.maxRssMB.toFixed(0).padStart(8)} MB RSS`;
  console.log(`\nUpload of ${mb.toFixed(0)} MB to the local twin`);
  console.log(row('Action upload (multipart 8 MiB × 4)', ours));
  console.log(row('single PutObject (same SDK)', single));
  console.log(`throughput ratio (ours / single): ${(single.seconds / ours.seconds).toFixed(2)}`);
  console.log(
    `report delay after the execution ended (poll ${pollMs} ms): ${delays.map((x) => `${x} ms`).join(', ')} (max ${Math.max(...delays)} ms)`,
  );
} finally {
  twin.kill('SIGTERM');
  await new Promise((r) => twin.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
