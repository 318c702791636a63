import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { movies } from './run-cli.ts';

const CLEAN = 'data/clean/movies_2024_q1.csv';
const DEFECTS = 'data/defects/movies_2024_q2.csv';
const REJECTED = 'data/rejected/movies_2024_q3.csv';
const COMMANDS = ['validate', 'rules', 'drop', 'query', 'bot', 'local'];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'movies-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('help', () => {
  it('movies --help lists every command and the exit codes', async () => {
    for (const ask of ['--help', '-h', 'help']) {
      const r = await movies(ask);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^movies ${c}\\b`, 'm'));
      expect(r.stdout).toContain('3  QUALITY_FAILED: a batch gate rejected the file; nothing loads');
    }
  });

  it('every command answers --help with its own usage and the exit codes, wherever the flag is', async () => {
    for (const c of COMMANDS) {
      const r = await movies(c, '--help');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^Usage: movies ${c}\\b`));
      expect(r.stdout).toContain('Exit codes');
      for (const other of COMMANDS.filter((o) => o !== c))
        expect(r.stdout).not.toMatch(new RegExp(`^movies ${other}\\b`, 'm'));
    }
    expect((await movies('drop', 'x.csv', '--wait', '-h')).stdout).toMatch(/^Usage: movies drop/);
    // After `--`, --help is a file name like any other.
    expect(await movies('validate', '--', '--help')).toMatchObject({
      code: 2,
      stderr: 'movies: --help: no such file\n',
    });
  });

  it('a usage error is one sentence naming the help to read, in our words', async () => {
    expect(await movies('validate', CLEAN, '--out')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'movies: --out needs a value. See movies validate --help.\n',
    });
    expect(await movies('query', '--chart')).toMatchObject({
      code: 2,
      stderr: 'movies: --chart needs a value. See movies query --help.\n',
    });
    expect(await movies('launch')).toMatchObject({
      code: 2,
      stderr: 'movies: unknown command "launch". See movies --help.\n',
    });
    expect(await movies()).toMatchObject({
      code: 2,
      stderr: 'movies: no command given. See movies --help.\n',
    });
  });
});

describe('exit codes tell the outcomes apart', () => {
  it('validate: 0 loads, 1 PARTIAL, 3 QUALITY_FAILED, 2 not a drop; several files: the largest', async () => {
    const notADrop = join(root, 'empty.csv');
    writeFileSync(notADrop, '');
    expect((await movies('validate', CLEAN)).code).toBe(0);
    expect((await movies('validate', DEFECTS)).code).toBe(1);
    expect((await movies('validate', REJECTED)).code).toBe(3);
    expect((await movies('validate', notADrop)).code).toBe(2);
    expect((await movies('validate', CLEAN, DEFECTS)).code).toBe(1);
    expect((await movies('validate', notADrop, REJECTED, DEFECTS)).code).toBe(3);
  });

  it('validate --out leaves no folder behind for a file that is not a drop', async () => {
    const notADrop = join(root, 'header-only.csv');
    writeFileSync(notADrop, 'title,release_year,imdb_rating\n');
    const out = join(root, 'out');
    const r = await movies('validate', notADrop, CLEAN, '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(join(out, 'header-only'))).toBe(false);
    expect(existsSync(join(out, 'movies_2024_q1', 'good.csv'))).toBe(true);
  });
});

describe('movies drop, pointed at nothing in particular', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('asks for the bucket on AWS, rather than uploading to a name someone else owns', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.MOVIES_BUCKET;
    expect(await movies('drop', CLEAN)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'movies: drop needs the bucket: give --bucket or set MOVIES_BUCKET (the stack output BucketName). See movies drop --help.\n',
    });
  });

  it('asks for a region on AWS, rather than guessing one', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(root, 'no-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(root, 'no-credentials');
    expect(await movies('drop', CLEAN, '--bucket', 'my-lake')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'movies: no AWS region is set: set AWS_REGION, or a region in your AWS profile.\n',
    });
  });
});

describe('movies validate --out', () => {
  it('names a file given as the output directory, in one sentence', async () => {
    const notADir = join(root, 'a-file');
    writeFileSync(notADir, 'x');
    expect(await movies('validate', CLEAN, '--out', notADir)).toEqual({
      code: 2,
      stdout: '',
      stderr: `movies: --out ${notADir}: is a file, not a directory\n`,
    });
    expect(await movies('validate', CLEAN, '--out', join(notADir, 'below'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^movies: --out .*below: cannot be written \(ENOTDIR\)\.\n$/),
    });
  });
});

describe('movies drop against the local twin', () => {
  let twin: Twin;
  const saved = { ...process.env };
  beforeAll(async () => {
    twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
    Object.assign(process.env, twin.env);
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await twin?.stop();
  });
  const dropped = (...args: string[]) => movies('drop', ...args, '--wait', '--poll-seconds', '0.2');

  it('exits 0 loaded, 1 PARTIAL, 3 QUALITY_FAILED, 4 FAILED', async () => {
    const malformed = join(root, 'semicolons.csv');
    writeFileSync(malformed, 'Series_Title;Released_Year;IMDB_Rating\nA;2000;8\n');
    expect((await dropped(CLEAN)).code).toBe(0);
    expect((await dropped(DEFECTS)).code).toBe(1);
    expect((await dropped(REJECTED)).code).toBe(3);
    expect((await dropped(malformed)).code).toBe(4);
  }, 120_000);

  it('keys a file outside the working directory by its name, and says so', async () => {
    const outside = join(root, 'elsewhere.csv');
    copyFileSync(CLEAN, outside);
    const r = await dropped(outside);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${outside}: uploaded to s3://${twin.bucket}/input_data/elsewhere.csv (`);
    expect(r.stdout).toContain(`${outside} → input_data/elsewhere.csv: SUCCEEDED`);
  }, 60_000);
});
