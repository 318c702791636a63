import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { movies } from './run-cli.ts';

const CLEAN = 'data/clean/movies_2024_q1.csv';
const DEFECTS = 'data/defects/movies_2024_q2.csv';
const REJECTED = 'data/rejected/movies_2024_q3.csv';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'movies-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('movies validate', () => {
  it('exits 0 on a clean drop and says all rows would load', async () => {
    const r = await movies('validate', CLEAN);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${CLEAN}: SUCCEEDED (all 25 rows would load)`);
    expect(r.stdout).toMatch(/rules 17\/17 passed/);
    expect(r.stderr).toBe('');
  });

  it('exits 1 on a drop with defects, with failed rules and the commonest reasons with lines', async () => {
    const r = await movies('validate', DEFECTS);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PARTIAL (22 rows would load, 8 would be quarantined)');
    expect(r.stdout).toMatch(/ColumnValues "imdb_rating" <= 10\s+FAIL/);
    expect(r.stdout).toMatch(/1 × release_year is not a four-digit year\s+\(line 4\)/);
    expect(r.stdout).toMatch(/expected 16 fields, found 13\s+\(line 13\)/);
  });

  it('--json prints one Glue-shaped object per file', async () => {
    const r = await movies('validate', CLEAN, DEFECTS, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      File: string;
      Verdict: string;
      Score: number;
      RuleResults: { Name: string; Result: string; EvaluatedMetrics: Record<string, number> }[];
      AggregatedMetrics: Record<string, number>;
    }[];
    expect(out.map((o) => [o.File, o.Verdict])).toEqual([
      [CLEAN, 'SUCCEEDED'],
      [DEFECTS, 'PARTIAL'],
    ]);
    expect(out[1]!.AggregatedMetrics).toEqual({
      TotalRowsProcessed: 30,
      TotalRowsPassed: 22,
      TotalRowsFailed: 8,
      TotalRulesProcessed: 17,
      TotalRulesPassed: 11,
      TotalRulesFailed: 6,
    });
    expect(out[1]!.RuleResults[0]).toMatchObject({
      Name: 'Rule_1',
      Result: 'PASS',
      EvaluatedMetrics: { 'Dataset.*.RowCount': 30 },
    });
    expect(out[1]!.Score).toBeCloseTo(11 / 17);
  });

  it('--out writes good.csv in the canonical schema and bad.csv with outcomes, spreadsheet-safe', async () => {
    const out = join(dir, 'out');
    const hostile = file(
      'hostile.csv',
      'title,release_year,imdb_rating,votes\n"=HYPERLINK(""http://x"",""y"")",2001,8.1,-40\nFine,1999,7.9,10\n',
    );
    const r = await movies('validate', hostile, '--out', out);
    expect(r.code).toBe(1);
    const good = readFileSync(join(out, 'good.csv'), 'utf8').split('\n');
    expect(good[0]).toMatch(/^movie_id,title,release_year,certificate,runtime_minutes,genres,imdb_rating,/);
    expect(good[1]).toMatch(/^fine-1999,Fine,1999,,,,7.9,/);
    const bad = readFileSync(join(out, 'bad.csv'), 'utf8');
    expect(bad.split('\n')[0]).toBe(
      'source_line,title,release_year,imdb_rating,votes,ContractViolations,DataQualityRulesPass,DataQualityRulesFail,DataQualityRulesSkip,DataQualityEvaluationResult',
    );
    // The formula is neutralized for spreadsheets; the plain number -40 is left alone.
    expect(bad).toContain(`2,"'=HYPERLINK(""http://x"",""y"")",2001,8.1,-40,[],`);
    expect(bad).toContain('ColumnValues \\""votes\\"" >= 0 where \\""votes is not null\\""');
    expect(bad.trimEnd().endsWith(',Failed')).toBe(true);
  });

  it('exits 2 with one sentence naming file and line for a file-level error, and still checks the other files', async () => {
    const broken = file('semicolons.csv', 'title;release_year;imdb_rating\nA;2000;8\n');
    const r = await movies('validate', broken, CLEAN);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `movies: ${broken}:1: the header is separated by semicolons; drops must be comma-separated\n`,
    );
    expect(r.stdout).toContain('SUCCEEDED');
  });

  it('--out for a rejected file writes what the pipeline would: no good.csv, the file itself as bad.csv', async () => {
    const out = join(dir, 'out-rejected');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'good.csv'), 'left from an earlier run\n');
    const r = await movies('validate', REJECTED, '--out', out);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`${REJECTED}: QUALITY_FAILED (nothing would load`);
    expect(r.stdout).toContain(
      `wrote ${join(out, 'bad.csv')} (the file as it is: the pipeline quarantines a rejected file whole) and no good.csv (nothing would load)`,
    );
    expect(() => readFileSync(join(out, 'good.csv'))).toThrow();
    expect(readFileSync(join(out, 'bad.csv')).equals(readFileSync(REJECTED))).toBe(true);
  });

  it('refuses --out for two inputs with one name instead of overwriting', async () => {
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    copyFileSync(CLEAN, join(dir, 'a', 'drop.csv'));
    copyFileSync(CLEAN, join(dir, 'b', 'drop.csv'));
    const r = await movies(
      'validate',
      join(dir, 'a', 'drop.csv'),
      join(dir, 'b', 'drop.csv'),
      '--out',
      join(dir, 'out-twice'),
    );
    expect(r).toMatchObject({
      code: 2,
      stderr:
        'movies: two inputs are named "drop"; with --out each needs its own name (run them separately).\n',
    });
  });

  it('leaves no half-written outputs behind when the file turns out to be broken', async () => {
    const out = join(dir, 'out-broken');
    const broken = file(
      'unterminated.csv',
      `title,release_year,imdb_rating\n${'A,2000,8\n'.repeat(50)}"B,2001,9\n`,
    );
    const r = await movies('validate', broken, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unterminated\.csv:52: a quoted field is never closed/);
    expect(() => readFileSync(join(out, 'good.csv'))).toThrow();
  });

  it('prints a file name with a line break in it on one line: no workflow command of its own', async () => {
    const named = file('x\n::error title=Injected::Fake.csv', readFileSync(CLEAN, 'utf8'));
    const broken = file('y\r::warning::z.csv', 'title,release_year,imdb_rating\n"A,2000,8\n');
    const r = await movies('validate', named, broken);
    expect(r.code).toBe(2);
    // The runner ends a line at LF, CR or CRLF and runs a line starting with :: as a command.
    const lines = `${r.stdout}${r.stderr}`.split(/\r\n|\r|\n/);
    expect(lines.filter((l) => /^\s*(::|##\[)/.test(l))).toEqual([]);
    expect(r.stdout).toContain(`${dir}/x\\n::error title=Injected::Fake.csv: SUCCEEDED`);
    expect(r.stderr).toBe(
      `movies: ${dir}/y\\r::warning::z.csv:2: a quoted field is never closed (unterminated quote)\n`,
    );
  });

  it('says the record limit, and where it is set, for a field that is genuinely too large', async () => {
    const large = file(
      'large-overview.csv',
      `title,release_year,imdb_rating,overview\nA,2000,8,"${'plot '.repeat(220_000)}"\nB,2001,7,short\n`,
    );
    const r = await movies('validate', large);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `movies: ${large}:2: a record is longer than 1048576 bytes (is it an unterminated quote? A record, line breaks in quotes included, may hold at most 1 MiB; a larger one needs MAX_RECORD_BYTES raised in contract/csv.ts and infra/glue/lib/movies_csv.py)\n`,
    );
  });

  it('exits 2 for a missing file, a missing argument and an unknown option', async () => {
    expect(await movies('validate', join(dir, 'nope.csv'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/nope\.csv: no such file/),
    });
    expect(await movies('validate')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/validate needs at least one CSV file/),
    });
    expect(await movies('validate', CLEAN, '--frobnicate')).toMatchObject({
      code: 2,
      stderr: 'movies: validate has no option --frobnicate. See movies validate --help.\n',
    });
    expect(await movies('launch')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command "launch"/),
    });
  });

  it('reaches the same verdict with and without --out, and a contract violation alone is exit 1', async () => {
    const rules = file('count.dqdl', 'Rules = [ RowCount > 0 ]\n');
    const data = file('votes.csv', 'title,release_year,imdb_rating,votes\nA,2000,8,lots\nB,2001,8,10\n');
    const plain = await movies('validate', data, '--rules', rules);
    const withOut = await movies('validate', data, '--rules', rules, '--out', join(dir, 'out-votes'));
    expect(plain.code).toBe(1);
    expect(withOut.code).toBe(1);
    expect(plain.stdout).toContain('PARTIAL (1 row would load, 1 would be quarantined)');
    expect(withOut.stdout).toContain('PARTIAL (1 row would load, 1 would be quarantined)');
    expect(plain.stdout).toMatch(/1 × votes is not a whole number\s+\(line 2\)/);
  });

  it('names the headers it did not recognise, and the one that may be a missing column', async () => {
    const r = await movies('validate', 'test/fixtures/parity/unmapped-export.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'movies: test/fixtures/parity/unmapped-export.csv:1: missing required column: release_year (also accepted: released_year, year). ' +
        'Headers not recognised: "US Gross", "Worldwide Gross", "Production Budget", "Release Date", "MPAA Rating", "Running Time min", "Distributor", "Major Genre", "IMDB Votes". ' +
        'release_year may be "Release Date": it names a date, so map its year in a movies.mapping beside the file ' +
        '(release_year: Release Date | year from date "MMM d yyyy", with the dates\' format); movies map <file> proposes a mapping\n',
    );
  });

  describe('a drop with a movies.mapping beside it', () => {
    const EXPORT =
      'Title,Release Date,MPAA Rating,Running Time min,Major Genre,IMDB Rating,IMDB Votes\n' +
      'Out of Sight,Jun 26 1998,r,2h 3m,Comedy/Crime,7,"53,000"\n' +
      'Bathory,sometime in 2008,,,,6.1,"1,446"\n';
    const MAPPING =
      'release_year: Release Date | year from date "MMM d yyyy"\n' +
      'certificate: MPAA Rating | upper\n' +
      'runtime_minutes: Running Time min | minutes\n' +
      'genres: Major Genre | list "/"\n' +
      'votes: IMDB Votes | number ","\n';
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'movies-mapped-'));
      mkdirSync(join(root, 'data/box/2024'), { recursive: true });
      writeFileSync(join(root, 'data/box/2024/export.csv'), EXPORT);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    /** The CLI run from the data repository's root, as its users run it. */
    async function inRoot<T>(run: () => Promise<T>): Promise<T> {
      const here = process.cwd();
      process.chdir(root);
      try {
        return await run();
      } finally {
        process.chdir(here);
      }
    }

    it('reads it through the nearest mapping above it, and shows the raw text that still fails', async () => {
      writeFileSync(join(root, 'data/box/movies.mapping'), MAPPING);
      const r = await inRoot(() => movies('validate', 'data/box/2024/export.csv', '--out', 'out'));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        'data/box/2024/export.csv: PARTIAL (1 row would load, 1 would be quarantined)',
      );
      expect(r.stdout).toContain('  columns mapped by data/box/movies.mapping\n');
      expect(r.stdout).toMatch(/1 × release_year is not a four-digit year\s+\(line 3\)/);
      // What would load: the values after the mapping's transforms.
      expect(readFileSync(join(root, 'out/good.csv'), 'utf8').split('\n')[1]).toBe(
        'out-of-sight-1998,Out of Sight,1998,R,123,"Comedy, Crime",7,,,,,,,,53000,,,Comedy',
      );
      const json = JSON.parse(
        (await inRoot(() => movies('validate', 'data/box/2024/export.csv', '--json'))).stdout,
      );
      expect(json[0].Mapping).toBe('data/box/movies.mapping');
    });

    it('exits 2 with file:line for a mapping that does not parse, before any row is read', async () => {
      writeFileSync(join(root, 'data/box/movies.mapping'), `${MAPPING}runtime: Running Time min\n`);
      const r = await inRoot(() => movies('validate', 'data/box/2024/export.csv'));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'movies: data/box/movies.mapping:6: "runtime" is not a contract column (did you mean runtime_minutes?); the columns are: ' +
          'movie_id, title, release_year, certificate, runtime_minutes, genres, imdb_rating, overview, meta_score, director, star1, star2, star3, star4, votes, gross_usd, poster_url\n',
      );
    });

    it('exits 2 naming the mapping line when the file lacks a mapped header', async () => {
      writeFileSync(join(root, 'data/box/movies.mapping'), MAPPING.replace('Release Date', 'Released'));
      const r = await inRoot(() => movies('validate', 'data/box/2024/export.csv'));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'movies: data/box/2024/export.csv:1: release_year is mapped from "Released" (data/box/movies.mapping:1), which the header does not have',
      );
    });
  });

  it('shows the text a cell had, never NULL for one that had text in it', async () => {
    const data = file(
      'dates.csv',
      'Title,Released_Year,IMDB Rating\nOut of Sight,Jun 12 1998,7.0\nBlank,,7.1\n',
    );
    const r = await movies('validate', data);
    expect(r.stdout).toContain('e.g. line 2: "Jun 12 1998" (unreadable as its type); line 3: NULL.');
    expect(r.stdout).not.toContain('line 2: NULL');
  });

  it('names a failed gate by its rule and never cuts a rule, however long', async () => {
    const rule = `ColumnValues "title" in ["${'A very long title that nobody has. '.repeat(3).trim()}"] with threshold > 0.9`;
    const r = await movies('validate', CLEAN, '--rules', file('long.dqdl', `Rules = [ ${rule} ]\n`));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`QUALITY_FAILED (nothing would load: batch gate ${rule} failed)`);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf(`  ${rule}`);
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^\s+FAIL\s+gate\s+ColumnValues\.Compliance=0\b/);
    expect(r.stdout).not.toContain('…');
  });

  it('--rules uses another ruleset; a broken one is exit 2 with line and column', async () => {
    const strict = file('strict.dqdl', 'Rules = [ RowCount > 100 ]\n');
    const r = await movies('validate', CLEAN, '--rules', strict);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('QUALITY_FAILED (nothing would load: batch gate RowCount > 100 failed)');
    const broken = file('broken.dqdl', 'Rules = [\n  RowCount >\n]\n');
    const b = await movies('validate', CLEAN, '--rules', broken);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/broken\.dqdl:3:1: expected a number/);
  });
});

/**
 * The quality policy: batch gates never route rows. Ten films; gross_usd is blank on lines 3 and
 * 5 (Completeness 0.8), and line 5 also has a rating of 12.5.
 */
describe('movies validate: a batch gate never routes rows', () => {
  const drop = (): string =>
    file(
      'gross.csv',
      [
        'title,release_year,imdb_rating,gross_usd',
        ...Array.from({ length: 10 }, (_, i) => {
          const line = i + 2;
          return `Film ${line},${2000 + i},${line === 5 ? '12.5' : '8'},${line === 3 || line === 5 ? '' : '1000'}`;
        }),
      ].join('\n') + '\n',
    );
  const validateJson = async (rules: string, ...args: string[]) => {
    const r = await movies('validate', drop(), '--rules', file('gate.dqdl', rules), ...args);
    const [out] = JSON.parse(r.stdout) as {
      Verdict: string;
      AggregatedMetrics: Record<string, number>;
      FailureReasons: { reason: string; rows: number; lines: number[] }[];
    }[];
    return { code: r.code, ...out! };
  };

  it('a passing gate quarantines nothing, though some rows fail its row-level outcome', async () => {
    const rules = 'Rules = [ Completeness "gross_usd" > 0.7 ]\n';
    const r = await validateJson(rules, '--json');
    expect(r).toMatchObject({
      code: 0,
      Verdict: 'SUCCEEDED',
      AggregatedMetrics: { TotalRowsProcessed: 10, TotalRowsPassed: 10, TotalRowsFailed: 0 },
      FailureReasons: [],
    });
    const text = await movies('validate', drop(), '--rules', file('gate.dqdl', rules));
    expect(text.stdout).toContain('SUCCEEDED (all 10 rows would load)');
    expect(text.stdout).not.toContain('reasons rows failed');
  });

  it('a failing gate rejects the file whole, and is not a reason rows failed', async () => {
    const rules = 'Rules = [ Completeness "gross_usd" > 0.99 ]\n';
    const r = await validateJson(rules, '--json');
    expect(r).toMatchObject({ code: 3, Verdict: 'QUALITY_FAILED', FailureReasons: [] });
    const text = await movies('validate', drop(), '--rules', file('gate.dqdl', rules));
    expect(text.stdout).toContain(
      'QUALITY_FAILED (nothing would load: batch gate Completeness "gross_usd" > 0.99 failed)',
    );
  });

  it('with a row check, only its failures are quarantined; bad.csv still lists the gate per row', async () => {
    const rules = 'Rules = [ ColumnValues "imdb_rating" <= 10, Completeness "gross_usd" > 0.7 ]\n';
    const out = join(dir, 'out-gate');
    const r = await validateJson(rules, '--json', '--out', out);
    expect(r).toMatchObject({
      code: 1,
      Verdict: 'PARTIAL',
      AggregatedMetrics: { TotalRowsPassed: 9, TotalRowsFailed: 1 },
      FailureReasons: [{ reason: 'ColumnValues "imdb_rating" <= 10', rows: 1, lines: [5] }],
    });
    expect(r.FailureReasons).toHaveLength(1);
    const bad = readFileSync(join(out, 'bad.csv'), 'utf8').trimEnd().split('\n');
    expect(bad).toHaveLength(2);
    expect(bad[1]).toBe(
      '5,Film 5,2003,12.5,,[],[],"[""ColumnValues \\""imdb_rating\\"" <= 10"",""Completeness \\""gross_usd\\"" > 0.7""]",[],Failed',
    );
    // Line 3 fails only the gate's row-level outcome: it loads.
    expect(readFileSync(join(out, 'good.csv'), 'utf8')).toMatch(/^film-3-2001,Film 3,2001,/m);
  });
});

describe('movies rules check', () => {
  it('prints the ruleset in canonical form', async () => {
    const src = file('r.dqdl', '# c\nRules=[IsComplete  "a",(RowCount>0) AND (Completeness "b">0.9)]');
    const r = await movies('rules', 'check', src);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Rules = [\n  IsComplete "a",\n  (RowCount > 0) and (Completeness "b" > 0.9)\n]\n');
  });

  it('checks the pipeline ruleset', async () => {
    expect((await movies('rules', 'check', 'contract/movies.dqdl')).code).toBe(0);
  });

  it('reports a syntax error with line and column, as text or JSON', async () => {
    const src = file('bad.dqdl', 'Rules = [\n  ColumnValues "x" betwen 1 and 2\n]\n');
    const r = await movies('rules', 'check', src);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${src}:2:20: expected a condition for ColumnValues (e.g. between 0 and 10), found 'betwen'\n`,
    );
    const j = await movies('rules', 'check', src, '--json');
    expect(JSON.parse(j.stdout)).toEqual({
      file: src,
      valid: false,
      error: {
        line: 2,
        column: 20,
        message: "expected a condition for ColumnValues (e.g. between 0 and 10), found 'betwen'",
      },
    });
  });
});

describe('the installed command', () => {
  it('runs through bin/movies.js with the same exit codes', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, ['bin/movies.js', 'validate', CLEAN]);
    expect(ok.stdout).toContain('SUCCEEDED');
    await expect(run(process.execPath, ['bin/movies.js', 'validate', DEFECTS])).rejects.toMatchObject({
      code: 1,
    });
  }, 30_000);
});

describe('movies validate: what Redshift cannot hold is a row problem, not a failed load', () => {
  it('quarantines a value too long in bytes or too large for its column, with the reason, and the rest passes', async () => {
    // No rule reads runtime or meta_score: only the contract stands between these rows and the COPY.
    const rules = file('titles.dqdl', 'Rules = [ IsComplete "title" ]\n');
    const r = await movies('validate', 'test/fixtures/drops/redshift-limits.csv', '--rules', rules, '--json');
    const [out] = JSON.parse(r.stdout) as {
      Verdict: string;
      AggregatedMetrics: Record<string, number>;
      FailureReasons: { reason: string; rows: number; lines: number[] }[];
    }[];
    expect(out!.Verdict).toBe('PARTIAL');
    expect(out!.AggregatedMetrics).toMatchObject({ TotalRowsProcessed: 42, TotalRowsFailed: 3 });
    expect(out!.FailureReasons).toEqual(
      expect.arrayContaining([
        { reason: 'title is longer than 512 bytes', rows: 1, lines: [41] },
        { reason: 'runtime_minutes is out of range for INTEGER', rows: 1, lines: [42] },
        { reason: 'meta_score is out of range for SMALLINT', rows: 1, lines: [43] },
      ]),
    );
  });

  it('checks the derived columns on every row, with or without --out', async () => {
    const path = file(
      'derived.csv',
      [
        'title,year,rating,genre',
        `${'a'.repeat(300)},2002,8.1,Drama`, // a legal title whose derived id is 305 bytes
        `Heat,1995,8.3,"${'Neo-noir '.repeat(8)}thriller, Crime"`, // a first genre of 80 bytes
        ...Array.from({ length: 8 }, (_, i) => `Film ${i},${2000 + i},7.5,Drama`),
      ].join('\n') + '\n',
    );
    for (const out of [[], ['--out', join(dir, 'derived-out')]]) {
      const r = await movies('validate', path, '--json', ...out);
      const [report] = JSON.parse(r.stdout) as {
        Verdict: string;
        FailureReasons: { reason: string; lines: number[] }[];
      }[];
      expect(report!.Verdict).toBe('PARTIAL');
      expect(report!.FailureReasons).toEqual([
        { reason: 'movie_id (derived from title and year) is longer than 256 bytes', rows: 1, lines: [2] },
        { reason: 'the first genre is longer than 64 bytes', rows: 1, lines: [3] },
      ]);
    }
  });

  it('keeps a value too long for its column for the rules: it is not a missing one', async () => {
    const rows = Array.from({ length: 28 }, (_, i) => `Film ${i},${1990 + i},7.5`);
    const path = file(
      'long-titles.csv',
      ['title,year,rating', ...rows, `${'é'.repeat(300)},2020,8`, `${'é'.repeat(301)},2021,8`].join('\n'),
    );
    const r = await movies('validate', path, '--json');
    const [report] = JSON.parse(r.stdout) as { Verdict: string; FailureReasons: { reason: string }[] }[];
    // Two titles of 600 bytes would be 2 NULLs of 30 and fail the gate Completeness "title" > 0.95.
    expect(report!.Verdict).toBe('PARTIAL');
    expect(report!.FailureReasons.map((f) => f.reason)).toEqual([
      'title is longer than 512 bytes',
      'movie_id (derived from title and year) is longer than 256 bytes',
    ]);
  });

  it('shows a long value in a message cut by characters, never inside one', async () => {
    const emoji = '🎬'.repeat(45);
    const path = file('emoji.csv', `title,release_year,imdb_rating\nFilm,${emoji},8\nOk,2000,8\n`);
    const out = join(dir, 'emoji-out');
    await movies('validate', path, '--out', out);
    const bad = readFileSync(join(out, 'bad.csv'), 'utf8');
    // 37 whole characters and an ellipsis; cut by UTF-16 units it would end in half a character.
    expect(bad).toContain(`release_year is not a four-digit year (\\""${'🎬'.repeat(37)}...\\"")`);
  });
});
