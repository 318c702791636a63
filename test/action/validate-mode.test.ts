import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../action/main.ts';
import { renderedText } from './rendered.ts';

/** Runs the Action as the runner would: inputs in INPUT_* variables, outputs and summary in files, commands on stdout. */
async function runAction(workspace: string, inputs: Record<string, string> = {}) {
  // @actions/core remembers the summary file across calls, as one process runs one step.
  const outputFile = join(io, 'github-output');
  const summaryFile = join(io, 'step-summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const saved = { ...process.env };
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
  });
  for (const [k, v] of Object.entries({ mode: 'validate', ...inputs }))
    process.env[`INPUT_${k.toUpperCase()}`] = v;
  let stdout = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return {
    stdout,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    failed: exitCode === 1,
  };
}

/** GITHUB_OUTPUT uses name<<delimiter blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

let io: string;
let root: string;
let ws: string;
beforeAll(() => {
  io = mkdtempSync(join(tmpdir(), 'movies-action-io-'));
});
afterAll(() => rmSync(io, { recursive: true, force: true }));
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'movies-action-'));
  ws = join(root, 'ws');
  mkdirSync(join(ws, 'data', '2024'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the Action in validate mode', () => {
  it('passes on clean drops, with outputs and a summary', async () => {
    copyFileSync('data/clean/movies_2024_q1.csv', join(ws, 'data', '2024', 'q1.csv'));
    const r = await runAction(ws);
    expect(r.failed).toBe(false);
    expect(r.outputs.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.outputs.results!)).toEqual([
      expect.objectContaining({
        file: 'data/2024/q1.csv',
        status: 'SUCCEEDED',
        rows: 25,
        rowsLoaded: 25,
        rowsQuarantined: 0,
      }),
    ]);
    expect(r.summary).toContain('## ✅ movies-gds data check: SUCCEEDED');
    expect(r.outputs['report-markdown']!.trimEnd()).toBe(r.summary.trimEnd());
  });

  it('annotates sample bad rows at their lines and does not fail on PARTIAL by default', async () => {
    copyFileSync('data/defects/movies_2024_q2.csv', join(ws, 'data', 'q2.csv'));
    const r = await runAction(ws);
    expect(r.failed).toBe(false);
    expect(r.outputs.status).toBe('PARTIAL');
    expect(r.stdout).toContain(
      '::warning title=Row would be quarantined,file=data/q2.csv,line=7::ColumnValues "imdb_rating" <= 10\n',
    );
    expect(r.summary).toContain(
      '| <code>ColumnValues \\"imdb\\_rating\\" \\<\\= 10</code> | FAIL | row check |',
    );
    const results = JSON.parse(r.outputs.results!) as { failedRules: { rule: string }[] }[];
    expect(results[0]!.failedRules.map((f) => f.rule)).toContain('IsComplete "title"');
    // As GitHub shows it: the rule as written, and one sample line is a line, not "lines".
    const shown = renderedText(r.summary);
    expect(shown).toContain('ColumnValues "imdb_rating" <= 10\nFAIL\nrow check');
    expect(shown).toContain('1 × release_year is not a four-digit year (line 4)');
  });

  it('fails per fail-on, with one sentence', async () => {
    copyFileSync('data/defects/movies_2024_q2.csv', join(ws, 'data', 'q2.csv'));
    const r = await runAction(ws, { 'fail-on': 'partial' });
    expect(r.failed).toBe(true);
    expect(r.stdout).toContain('::error::data/q2.csv is PARTIAL (fail-on: partial).');
  });

  it('fails on a rejected batch and on an unreadable file, naming file and line', async () => {
    writeFileSync(
      join(ws, 'data', 'lfs.csv'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10\n',
    );
    writeFileSync(join(ws, 'data', 'strict.dqdl'), 'Rules = [ RowCount > 1000 ]\n');
    copyFileSync('data/clean/movies_2024_q1.csv', join(ws, 'data', 'q1.csv'));
    const r = await runAction(ws, { rules: 'data/strict.dqdl' });
    expect(r.failed).toBe(true);
    expect(r.outputs.status).toBe('FAILED');
    expect(r.stdout).toContain(
      '::error file=data/lfs.csv,line=1::data/lfs.csv:1: this is a Git LFS pointer, not the data',
    );
    expect(r.stdout).toContain('data/lfs.csv is FAILED; data/q1.csv is QUALITY_FAILED (fail-on: quality).');
  });

  it('reads a file through the movies.mapping above it, and notes a bad mapping on the mapping itself', async () => {
    mkdirSync(join(ws, 'data', 'box'), { recursive: true });
    writeFileSync(
      join(ws, 'data', 'box', 'export.csv'),
      'Title,Release Date,IMDB Rating\nOut of Sight,Jun 26 1998,7\nHeat,Dec 15 1995,8.3\n',
    );
    writeFileSync(
      join(ws, 'data', 'movies.mapping'),
      'release_year: Release Date | year from date "MMM d yyyy"\n',
    );
    const r = await runAction(ws);
    expect(r.failed).toBe(false);
    expect(r.outputs.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.outputs.results!)).toEqual([
      expect.objectContaining({ file: 'data/box/export.csv', mapping: 'data/movies.mapping', rowsLoaded: 2 }),
    ]);
    expect(renderedText(r.summary)).toContain('data/box/export.csvmapped by data/movies.mapping');

    writeFileSync(
      join(ws, 'data', 'movies.mapping'),
      '\nrelease_year: Release Date | year from date "MMM dd"\n',
    );
    const bad = await runAction(ws);
    expect(bad.failed).toBe(true);
    expect(bad.stdout).toContain(
      '::error file=data/movies.mapping,line=2::data/movies.mapping:2: the date format "MMM dd" has no year (yyyy or yy)\n',
    );
    expect(renderedText(bad.summary)).toContain(
      'data/movies.mapping:2: the date format "MMM dd" has no year',
    );
  });

  it('refuses a movies.mapping that is a symbolic link, without reading it', async () => {
    writeFileSync(join(ws, 'data', 'q.csv'), 'Title,Year,IMDB Rating\nHeat,1995,8.3\n');
    symlinkSync('/etc/passwd', join(ws, 'data', 'movies.mapping'));
    const r = await runAction(ws);
    expect(r.failed).toBe(true);
    expect(r.stdout).toContain('data/movies.mapping:1: movies.mapping is a symbolic link');
    expect(r.stdout).not.toContain('root:');
  });

  it('makes data in the report inert: no HTML, no mentions, no broken tables', async () => {
    writeFileSync(
      join(ws, 'data', 'x.csv'),
      'title,release_year,imdb_rating\n"<img src=x> @team | boom",2001,11\n',
    );
    const r = await runAction(ws);
    expect(r.summary).not.toContain('<img');
    expect(r.summary).not.toMatch(/@team/);
  });

  it('refuses symlinks, globs that leave the workspace, non-CSV matches and bad inputs', async () => {
    writeFileSync(join(root, 'secret.csv'), 'title,release_year,imdb_rating\nx,2000,8\n');
    symlinkSync(join(root, 'secret.csv'), join(ws, 'data', 'link.csv'));
    expect((await runAction(ws)).stdout).toContain(
      '::error::data/link.csv is a symbolic link; data files must be regular files in the repository.',
    );
    rmSync(join(ws, 'data', 'link.csv'));
    expect((await runAction(ws, { path: '../*.csv' })).stdout).toContain(
      '::error::The path "../*.csv" leaves the workspace',
    );
    writeFileSync(join(ws, 'data', 'notes.txt'), 'hello');
    expect((await runAction(ws, { path: 'data/*' })).stdout).toContain(
      '::error::data/notes.txt matches "data/*" but is not a .csv file; narrow the path input.',
    );
    expect((await runAction(ws, { 'fail-on': 'sometimes' })).stdout).toContain(
      '::error::Input fail-on must be one of quality, partial, error, never; got "sometimes".',
    );
  });
});
