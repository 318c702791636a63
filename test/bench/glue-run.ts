/**
 * `npm run bench` (part): the Glue job's contract step in Python (infra/glue/lib: the split
 * reader and the contract, as one executor core runs them, then on every core of this machine)
 * next to the TypeScript engine's over the same drop. The figures size a Glue run (README,
 * "How the Glue job scales"). BENCH_GLUE_ROWS: comma-separated sizes, default 1M.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractJson } from '../../contract/contract.ts';
import { generateDrop } from './generate.ts';

interface Run {
  seconds: number;
  maxRssMB: number;
  rows: number;
  problems: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const sizes = (process.env.BENCH_GLUE_ROWS ?? '1000000').split(',').map(Number);
const cores = availableParallelism();
const contract = join(tmpdir(), 'movies-bench-contract.json');
writeFileSync(contract, JSON.stringify(contractJson()));

const json = (out: string): Run => JSON.parse(out) as Run;
const python = (file: string, workers: number): Run =>
  json(
    execFileSync('python3', ['-B', join(here, 'glue_core.py'), file, String(workers), contract], {
      encoding: 'utf8',
    }),
  );
const typescript = (file: string): Run =>
  json(execFileSync(tsx, [join(here, 'contract-ts.ts'), file], { encoding: 'utf8' }));

const pad = (s: string | number, n: number): string => String(s).padStart(n);
const cell = (r: Run): string =>
  `${pad(r.seconds.toFixed(2), 8)}${pad((r.rows / r.seconds / 1000).toFixed(1), 9)}${pad(r.maxRssMB.toFixed(0), 8)}`;
console.log('The contract step (parse, check, coerce): seconds, thousand rows/s, peak RSS MB');
console.log(
  `${'rows'.padEnd(10)}${pad('MB', 6)} | ${'typescript, 1 core'.padStart(25)} | ${'python, 1 core'.padStart(25)} | ${`python, ${cores} cores`.padStart(25)} | rows agree`,
);
let failed = false;
for (const rows of sizes) {
  const file = join(tmpdir(), `movies-bench-${rows}.csv`);
  if (!existsSync(file)) await generateDrop(file, rows);
  const mb = statSync(file).size / 1e6;
  const ts = typescript(file);
  const one = python(file, 1);
  const all = python(file, cores);
  const agree = [one, all].every((r) => r.rows === ts.rows && r.problems === ts.problems);
  failed ||= !agree;
  console.log(
    `${String(rows).padEnd(10)}${pad(mb.toFixed(0), 6)} | ${cell(ts)} | ${cell(one)} | ${cell(all)} | ${agree ? `${ts.rows} rows, ${ts.problems} with problems` : `DIFFER: ts ${ts.rows}/${ts.problems}, python ${one.rows}/${one.problems}, ${all.rows}/${all.problems}`}`,
  );
}
if (failed) process.exitCode = 1;
