/**
 * `npm run bench`: our one-pass DQDL evaluation vs DuckDB computing the same metrics in SQL,
 * over the same generated Kaggle-layout drop, side by side. Sizes: BENCH_ROWS (comma-separated),
 * default 1M and 4M rows. Each engine runs in its own process so peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDrop } from './generate.ts';

interface Run {
  seconds: number;
  maxRssMB: number;
  rows: number;
  metrics: Record<string, number>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const sizes = (process.env.BENCH_ROWS ?? '1000000,4000000').split(',').map(Number);

function run(script: string, file: string): Run {
  const out = execFileSync(tsx, [join(here, script), file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out) as Run;
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(
  `${'rows'.padEnd(10)}${pad('MB', 8)} | ${pad('ours s', 8)}${pad('MB/s', 8)}${pad('RSS MB', 8)} | ${pad('duckdb s', 9)}${pad('MB/s', 8)}${pad('RSS MB', 8)} | ${pad('ratio', 6)}  metrics`,
);
let failed = false;
for (const rows of sizes) {
  const file = join(tmpdir(), `movies-bench-${rows}.csv`);
  if (!existsSync(file)) await generateDrop(file, rows);
  const mb = statSync(file).size / 1e6;
  const ours = run('ours.ts', file);
  const duck = run('duckdb.ts', file);
  const mismatches = Object.entries(duck.metrics).filter(
    ([k, v]) => !(k in ours.metrics) || Math.abs(ours.metrics[k]! - v) > 1e-9 * Math.max(1, Math.abs(v)),
  );
  failed ||= mismatches.length > 0;
  console.log(
    `${String(rows).padEnd(10)}${pad(mb.toFixed(0), 8)} | ${pad(ours.seconds.toFixed(2), 8)}${pad((mb / ours.seconds).toFixed(0), 8)}${pad(ours.maxRssMB.toFixed(0), 8)} | ` +
      `${pad(duck.seconds.toFixed(2), 9)}${pad((mb / duck.seconds).toFixed(0), 8)}${pad(duck.maxRssMB.toFixed(0), 8)} | ${pad((ours.seconds / duck.seconds).toFixed(2), 6)}  ` +
      (mismatches.length ? `${mismatches.length} DIFFER` : `${Object.keys(duck.metrics).length} agree`),
  );
  for (const [k, v] of mismatches) console.log(`    ${k}: ours ${ours.metrics[k]} duckdb ${v}`);
}
if (failed) process.exitCode = 1;
