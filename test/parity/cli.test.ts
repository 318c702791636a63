/** `npm run parity -- FILE.csv... [--rules FILE]`: its output and exit codes. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function parity(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/parity.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run parity', () => {
  it('exits 2 with one sentence when there is no Python to run', () => {
    const r = parity(['data/clean/movies_2024_q1.csv'], { PYTHON: 'python-not-installed' });
    expect(r.status).toBe(2);
    expect(r.err).toBe(
      'parity: the Python side could not run: python-not-installed could not be started (ENOENT): the parity check needs Python 3.11 or later, as python3 on the PATH or named by PYTHON\n',
    );
  });

  it('exits 0 when the engines agree, with a line per file and a total', () => {
    const r = parity(['data/clean/movies_2024_q1.csv', 'test/fixtures/parity/nul-byte.csv']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out.split('\n')).toEqual([
      expect.stringMatching(
        /^data\/clean\/movies_2024_q1\.csv: 25 rows compared, 25 agree \(\d+ readings\)$/,
      ),
      expect.stringMatching(
        /^test\/fixtures\/parity\/nul-byte\.csv: not a drop, and every reading agrees \(\d+ readings\): line 3: the file contains a NUL byte/,
      ),
      'total: 2 files, 25 rows compared, 25 agree; the engines agree',
      '',
    ]);
  });

  it('exits 1 when they disagree, printing the file, the line and both sides', () => {
    // A Python side that finds every file unreadable at line 7.
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    const fake = join(dir, 'python');
    writeFileSync(
      fake,
      `#!/bin/sh\nexec python3 -c 'import json, sys\nrequest = json.load(sys.stdin)\n` +
        `for i, f in enumerate(request["files"]):\n    for s in f["splits"]:\n` +
        `        print(json.dumps({"f": i, "s": s, "error": [7, "a reason of its own"]}))'\n`,
    );
    chmodSync(fake, 0o755);
    const r = parity(['data/clean/movies_2024_q1.csv'], { PYTHON: fake });
    expect(r.status).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('data/clean/movies_2024_q1.csv:7: file error differ');
    expect(lines[1]).toBe('  TypeScript (whole file): {"rows":25}');
    expect(lines[2]).toMatch(
      /^ {2}Python \(splits of 7 bytes\);.*: \{"error":\{"line":7,"reason":"a reason of its own"\}\}$/,
    );
    expect(r.out).toContain('data/clean/movies_2024_q1.csv: 25 rows compared, 0 agree');
    expect(r.out).toContain('total: 1 file, 25 rows compared, 0 agree; 1 file where the engines disagree');
  });

  it('reads a file through --mapping, in both engines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    const mapping = join(dir, 'movies.mapping');
    writeFileSync(
      mapping,
      'release_year: Release Date | year from date "MMM d yyyy"\nimdb_rating: IMDB Rating\n',
    );
    const r = parity(['test/fixtures/parity/unmapped-export.csv', '--mapping', mapping]);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^test\/fixtures\/parity\/unmapped-export\.csv: 1 rows compared, 1 agree/);
  });

  it('exits 2 on a usage error', () => {
    for (const args of [
      [],
      ['--nope', 'data/clean/movies_2024_q1.csv'],
      ['--rules'],
      ['--mapping'],
      ['missing.csv'],
      ['--mapping', 'missing.mapping', 'data/clean/movies_2024_q1.csv'],
    ]) {
      const r = parity(args);
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.err).toMatch(
        /^parity: .*\nusage: npm run parity -- FILE\.csv\.\.\. \[--rules FILE\.dqdl\] \[--mapping FILE\]\n {2}Each file .*\n$/,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    writeFileSync(join(dir, 'bad.dqdl'), 'Rules = [ Completeness "title" > ]');
    const r = parity(['--rules', join(dir, 'bad.dqdl'), 'data/clean/movies_2024_q1.csv']);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/bad\.dqdl:1:\d+: /);
  });

  it('takes the ruleset of --rules for the rule outcomes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    writeFileSync(join(dir, 'rules.dqdl'), 'Rules = [ ColumnValues "imdb_rating" <= 9 ]');
    const r = parity(['--rules', join(dir, 'rules.dqdl'), 'data/clean/movies_2024_q1.csv']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('25 rows compared, 25 agree');
  });
});
