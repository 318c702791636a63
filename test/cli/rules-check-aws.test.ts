/** `movies rules check` refuses the rulesets AWS's DQDL parser refuses, so a PR cannot pass with one. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { movies } from './run-cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'movies-rules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each of these parsed before; AWS refuses them all (awslabs/dqdl InvalidDQRulesetTest).
const REFUSED: [string, string, string][] = [
  [
    'now() plus a duration outside parentheses',
    'Rules = [\n  RowCount > 0,\n  ColumnValues "released" > now() + 1 hours\n]\n',
    '3:27: expected now() plus or minus a duration, in parentheses, e.g. (now() - 3 days)',
  ],
  [
    'a list of numbers and text',
    'Rules = [\n  ColumnValues "year" in [1,"2"]\n]\n',
    '2:23: this list mixes numbers, quoted text and dates (a list holds one kind, plus NULL)',
  ],
  [
    'FileMatch without an argument',
    'Rules = [\n  FileMatch\n]\n',
    '3:1: expected a condition for FileMatch (e.g. in ["<checksum>"]), found \']\'',
  ],
  [
    'FileMatch with an empty list',
    'Rules = [ FileMatch in [] ]\n',
    '1:24: this list is empty (expected at least one value)',
  ],
  [
    'FileMatch with an unquoted path',
    'Rules = [ FileMatch s3Path ]\n',
    '1:28: expected a condition for FileMatch (e.g. in ["<checksum>"]), found \']\'',
  ],
  [
    'a $constant that is never defined',
    'Rules = [\n  RowCount > $min_count\n]\n',
    '2:14: constant $min_count is not defined',
  ],
];

describe('movies rules check: rulesets AWS refuses', () => {
  it.each(REFUSED)('%s', async (_name, text, where) => {
    const path = join(dir, 'rules.dqdl');
    writeFileSync(path, text);
    const r = await movies('rules', 'check', path);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // One line: FILE:LINE:COLUMN: reason, no stack.
    expect(r.stderr).toBe(`${path}:${where}\n`);
  });

  it('still accepts the same rules written as AWS accepts them', async () => {
    const path = join(dir, 'fixed.dqdl');
    writeFileSync(
      path,
      'min_count = "10"\nRules = [\n  ColumnValues "released" > (now() + 1 hours),\n  ColumnValues "year" in [1, 2],\n  FileMatch "s3://bucket/a.csv" in ["6ea5fd3b"],\n  ColumnValues "n" = $min_count\n]\n',
    );
    const r = await movies('rules', 'check', path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ColumnValues "released" > (now() + 1 hours)');
  });
});
