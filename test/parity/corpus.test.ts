/**
 * The two engines on the sample drops in data/ and on the hostile corpus in test/fixtures/parity
 * (one file per trap, written by make_corpus.py there): every file read by TypeScript in chunks
 * of several sizes and by Python in splits of several sizes must agree row for row, or on the
 * file error. The table pins what each trap is expected to do, so a trap that stopped tripping
 * (both engines agreeing on something else) is noticed too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disagreementText, runParity, type FileParity } from '../../scripts/parity/compare.ts';

const SAMPLES = [
  'data/clean/movies_2024_q1.csv',
  'data/defects/movies_2024_q2.csv',
  'data/rejected/movies_2024_q3.csv',
];
const CORPUS = 'test/fixtures/parity';

/** What each trap does: the file error (line: reason, cut before its parenthesis) or rows read and quarantined. */
const EXPECTED: Record<string, string> = {
  'bad-header-cr-then-invalid-utf8': '2: the file is not valid UTF-8',
  'bad-header-crlf-then-invalid-utf8': '1: missing required columns: title',
  'bad-header-then-invalid-utf8': '1: missing required columns: title',
  'bad-header-then-unterminated-quote': '1: missing required columns: title',
  'bad-values': '10 rows, 10 quarantined',
  'blank-lines-before-header': '1 rows, 0 quarantined',
  'bom-only': 'the file is empty',
  'clip-astral-values': '4 rows, 4 quarantined',
  'duplicate-columns-by-variant':
    '1: columns 2 ("release-year") and 4 ("Release Year") both name "release_year"',
  'duplicate-columns': '1: columns 1 ("Title") and 4 ("series_title") both name "title"',
  'duplicate-unknown-columns': '1: columns 4 ("Foo Bar") and 5 ("foo-bar") both name "foo_bar"',
  empty: 'the file is empty',
  'ends-mid-utf8-character': '3: the file ends in the middle of a UTF-8 character',
  'ends-mid-utf8-in-open-quote': '4: the file ends in the middle of a UTF-8 character',
  'ends-with-impossible-utf8': '3: the file is not valid UTF-8',
  'formula-cells': '5 rows, 1 quarantined',
  'header-only-no-newline': 'the file has a header but no data rows',
  'header-only-then-blank-lines': 'the file has a header but no data rows',
  'header-only': 'the file has a header but no data rows',
  'header-over-1mib': '1: a record is longer than 1048576 bytes',
  'header-variants': '1 rows, 0 quarantined',
  'huge-digit-strings': '7 rows, 5 quarantined',
  'invalid-utf8-after-emoji-and-cjk': '3: the file is not valid UTF-8',
  'invalid-utf8-after-lone-cr': '3: the file is not valid UTF-8',
  'invalid-utf8-after-newlines': '5: the file is not valid UTF-8',
  'invalid-utf8-before-nul': '3: the file is not valid UTF-8',
  'invalid-utf8-in-a-quoted-newline-field': '5: the file is not valid UTF-8',
  'invalid-utf8-in-header': '1: the file is not valid UTF-8',
  'invalid-utf8-mid-file': '3: the file is not valid UTF-8',
  'lfs-pointer-after-bom': '1: missing required columns: title',
  'lfs-pointer-prefix-only': '1: missing required columns: title',
  'lfs-pointer': '1: this is a Git LFS pointer, not the data',
  'lone-cr-line-endings': '3 rows, 0 quarantined',
  'long-genres': '4 rows, 2 quarantined',
  'missing-required': '1: missing required columns: release_year',
  'unmapped-export': '1: missing required column: release_year',
  'mixed-line-endings': '4 rows, 0 quarantined',
  'movie-id-column': '7 rows, 4 quarantined',
  'nul-after-1mib-in-a-record': '3: a record is longer than 1048576 bytes',
  'nul-before-invalid-utf8': '3: the file contains a NUL byte',
  'nul-byte': '3: the file contains a NUL byte',
  'nul-inside-the-first-1mib-of-a-long-record': '3: the file contains a NUL byte',
  'only-blank-lines': 'the file is empty',
  'out-of-range-numbers': '17 rows, 15 quarantined',
  'overlong-and-surrogate': '3: the file is not valid UTF-8',
  quoting: '13 rows, 7 quarantined',
  'record-1mib-plus-one': '3: a record is longer than 1048576 bytes',
  'record-over-2mib-then-more-rows': '3: a record is longer than 1048576 bytes',
  'record-exactly-1mib-lone-cr': '2 rows, 1 quarantined',
  'record-exactly-1mib': '2 rows, 1 quarantined',
  'record-over-1mib': '3: a record is longer than 1048576 bytes',
  'semicolon-header': '1: the header is separated by semicolons; drops must be comma-separated',
  'sql-in-titles': '5 rows, 0 quarantined',
  'stray-continuation-bytes': '3: the file is not valid UTF-8',
  'tab-header': '1: the header is separated by tabs; drops must be comma-separated',
  'title-over-512-bytes': '6 rows, 6 quarantined',
  'unicode-whitespace': '11 rows, 10 quarantined',
  'unquoted-record-over-1mib': '3: a record is longer than 1048576 bytes',
  'unterminated-quote-eof': '3: a quoted field is never closed (unterminated quote)',
  'unterminated-quote-over-1mib': '3: a record is longer than 1048576 bytes',
  'utf16-le': '1: the file is not valid UTF-8',
};

function parity(paths: readonly string[]): Promise<FileParity[]> {
  return runParity(paths.map((path) => ({ name: path, path, bytes: readFileSync(path) })));
}

function disagreements(report: readonly FileParity[]): string {
  return report.flatMap((f) => f.disagreements.map((d) => disagreementText(f.name, d))).join('');
}

function outcome(file: FileParity): string {
  if (file.error) {
    const reason = file.error.reason.replace(/ \((also accepted|check out|probably|is it)[^)]*\).*$/, '');
    return file.error.line === null ? reason : `${file.error.line}: ${reason}`;
  }
  return `${file.rows} rows, ${file.reference.rows.filter((r) => r.quarantined).length} quarantined`;
}

describe('the two engines on the sample drops', () => {
  it('agree on every row of every sample, in every chunk and split size', async () => {
    const report = await parity(SAMPLES);
    expect(disagreements(report)).toBe('');
    expect(report.map((f) => [f.name, f.rows, f.rowsAgreeing])).toEqual([
      [SAMPLES[0], 25, 25],
      [SAMPLES[1], 30, 30],
      [SAMPLES[2], 20, 20],
    ]);
    // Python read each sample in 7-byte splits too, and TypeScript in 7-byte chunks.
    expect(report[0]!.readings).toEqual(
      expect.arrayContaining(['TypeScript (chunks of 7 bytes)', 'Python (splits of 7 bytes)']),
    );
  });
});

/** The whole corpus, written afresh by its generator (the files past 1 MiB are not committed). */
function writeCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parity-corpus-'));
  const r = spawnSync('python3', ['-B', join(CORPUS, 'make_corpus.py'), dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return dir;
}

describe('the two engines on the hostile corpus', () => {
  const corpus = writeCorpus();
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  let report: Map<string, FileParity>;
  beforeAll(async () => {
    const list = await parity(files.map((f) => join(corpus, f)));
    report = new Map(list.map((f, i) => [files[i]!.replace(/\.csv$/, ''), f]));
  });
  afterAll(() => rmSync(corpus, { recursive: true, force: true }));

  it('commits every small file as its generator writes it', () => {
    const committed = readdirSync(CORPUS).filter((f) => f.endsWith('.csv'));
    expect(committed.length).toBeGreaterThan(40);
    for (const f of committed)
      expect([f, readFileSync(join(CORPUS, f)).equals(readFileSync(join(corpus, f)))]).toEqual([f, true]);
  });

  it('has a file for every trap in the table, and a trap for every file', () => {
    expect(files.map((f) => f.replace(/\.csv$/, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('agree on every file', () => {
    expect(disagreements([...report.values()])).toBe('');
  });

  it.each(Object.entries(EXPECTED))('%s: %s', (name, expected) => {
    expect(outcome(report.get(name)!)).toBe(expected);
  });

  it('name the problems the traps are about, with values clipped to 37 characters', () => {
    const problems = (name: string, line: number): readonly string[] | undefined =>
      report.get(name)!.reference.rows.find((r) => r.line === line)?.problems;
    expect(problems('out-of-range-numbers', 3)).toEqual([
      'runtime_minutes is out of range for INTEGER ("3000000000 min")',
    ]);
    expect(problems('out-of-range-numbers', 8)).toEqual([
      'imdb_rating is out of range for DECIMAL(3,1) ("99.95")',
    ]);
    expect(problems('out-of-range-numbers', 9)).toEqual([]);
    expect(problems('clip-astral-values', 2)).toEqual([
      `release_year is not a four-digit year ("${'😀'.repeat(37)}...")`,
    ]);
    // 512 bytes of title fit its column; the id derived from them does not fit its 256.
    expect(problems('title-over-512-bytes', 3)).toEqual([
      `movie_id (derived from title and year) is longer than 256 bytes ("${'電影'.repeat(18)}電...")`,
    ]);
    expect(problems('title-over-512-bytes', 4)![0]).toMatch(/^title is longer than 512 bytes/);
    expect(problems('quoting', 8)).toEqual(['field 3 has text after its closing quote']);
  });
});
