/**
 * infra/glue/movie_etl.py itself, run end to end by python3 on stand-ins for what cannot run
 * here (Spark, the awsglue libraries, Glue Data Quality, S3: test/infra/glue/standins), with the
 * job arguments the CDK app synthesizes. Data Quality's outcomes are the TypeScript engine's for
 * the same file. What it writes must be what the twin writes for the same drop: the results
 * JSON, the quarantine object byte for byte, and the rows the MERGE stages.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkDrop } from '../../../contract/check.ts';
import { MAX_DROP_BYTES } from '../../../contract/contract.ts';
import { CsvReader } from '../../../contract/csv.ts';
import {
  etlResults,
  quarantineFileKey,
  quarantineRowsKey,
  sourceOf,
  tooLargeToDrop,
} from '../../../contract/etl-results.ts';
import { parseMapping, type Mapping } from '../../../contract/mapping.ts';
import { FAILED, PASSED, SKIPPED } from '../../../quality/results.ts';
import { logicalId, synth } from '../stacks/synth.ts';

const BUCKET = 'movies-gds';
const EXECUTION = 'exec-0001';
const ROLE = 'arn:aws:iam::123456789012:role/movies-warehouse';
const METADATA = { commit: '0123abc', 'pull-request': '7', actor: 'octocat' };
let root: string;
let defaults: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'glue-job-'));
  const { json } = synth();
  defaults = json.Resources[logicalId(json, 'AWS::Glue::Job')]!.Properties!.DefaultArguments as Record<
    string,
    string
  >;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stderr: string;
  read: (key: string) => Buffer | null;
  jdbc: { rows: Record<string, unknown>[]; options: Record<string, string> } | null;
}

/** The TypeScript engine's check of a file: what the twin writes, and Data Quality's outcomes for the stand-in. */
async function reference(file: string, key: string, mapping?: Mapping) {
  const dir = mkdtempSync(join(root, 'ts-'));
  const badPath = join(dir, 'bad.csv');
  const goodPath = join(dir, 'good.csv');
  const rows: Record<number, { pass: string[]; fail: string[]; skip: string[] }> = {};
  const check = await checkDrop(key, [readFileSync(file)], {
    badPath,
    goodPath,
    ...(mapping ? { mapping } : {}),
    onRow(row, ev) {
      const by = (s: number): string[] =>
        ev.rules.filter((_, i) => ev.statuses[i] === s).map((r) => r.description);
      rows[row.line] = {
        pass: by(PASSED),
        fail: by(FAILED),
        skip: by(SKIPPED),
      };
    },
  });
  const ruleOutcomes = check.result.RuleResults.map((r) => ({
    Rule: r.Description,
    Outcome: r.Result === 'PASS' ? 'Passed' : r.Result === 'FAIL' ? 'Failed' : 'Error',
    FailureReason: r.EvaluationMessage ?? null,
    EvaluatedMetrics: r.EvaluatedMetrics,
  }));
  return {
    check,
    bad: readFileSync(badPath),
    good: readFileSync(goodPath, 'utf8'),
    dq: { rows, ruleOutcomes },
  };
}

function runJob(
  name: string,
  body: Buffer,
  key: string,
  dq: unknown,
  etag?: string,
  sparse?: { size: number },
  bucket: { objects?: Record<string, string>; metadata?: Record<string, string> } = {},
): Run {
  const dir = mkdtempSync(join(root, `${name}-`));
  const s3 = join(dir, 's3');
  const object = join(s3, BUCKET, key);
  mkdirSync(dirname(object), { recursive: true });
  writeFileSync(object, body);
  if (sparse) {
    truncateSync(object, sparse.size); // a hole: no disk, and the stand-in is told its ETag
    writeFileSync(`${object}.etag`, `"${etag}"`);
  }
  writeFileSync(`${object}.meta.json`, JSON.stringify(bucket.metadata ?? METADATA));
  for (const [k, text] of Object.entries(bucket.objects ?? {})) {
    mkdirSync(dirname(join(s3, BUCKET, k)), { recursive: true });
    writeFileSync(join(s3, BUCKET, k), text);
  }
  writeFileSync(
    join(dir, 'dq.json'),
    JSON.stringify({ ruleset: readFileSync('contract/movies.dqdl', 'utf8'), ...(dq as object) }),
  );
  const args = {
    ...Object.fromEntries(Object.entries(defaults).filter(([k]) => /^--[A-Za-z_]+$/.test(k))),
    '--JOB_NAME': 'movie_data_analysis',
    '--bucket': BUCKET,
    '--key': key,
    '--etag': etag ?? createHash('md5').update(body).digest('hex'),
    '--execution': EXECUTION,
    '--results_key': `results/${EXECUTION}.json`,
    '--TempDir': `s3://${BUCKET}/glue-temp/`,
    '--redshift_role': ROLE, // a token in the template, an ARN at run time
  };
  const r = spawnSync(
    'python3',
    ['-B', 'infra/glue/movie_etl.py', ...Object.entries(args).flat().map(String)],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: ['test/infra/glue/standins', 'infra/glue/lib'].join(':'),
        GLUE_STANDIN_S3: s3,
        GLUE_STANDIN_DQ: join(dir, 'dq.json'),
        GLUE_STANDIN_JDBC: join(dir, 'jdbc.json'),
      },
    },
  );
  const read = (k: string): Buffer | null => {
    try {
      return readFileSync(join(s3, BUCKET, k));
    } catch {
      return null;
    }
  };
  let jdbc = null;
  try {
    jdbc = JSON.parse(readFileSync(join(dir, 'jdbc.json'), 'utf8')) as Run['jdbc'];
  } catch {
    // no load
  }
  return { status: r.status, stderr: r.stderr, read, jdbc };
}

/** good.csv's rows, and the staged rows in good.csv's columns, both as CSV cells. */
function goodRows(
  good: string,
  staged: Record<string, unknown>[],
): { expected: string[][]; got: string[][] } {
  const expected: string[][] = [];
  new CsvReader((r) => void expected.push(Array.from({ length: r.count }, (_, i) => r.field(i)))).push(
    Buffer.from(good),
  );
  const columns = expected.shift()!;
  return {
    expected,
    got: staged.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c])))),
  };
}

describe('the Glue job, run on stand-ins for Spark and S3', () => {
  it.each([
    ['data/clean/movies_2024_q1.csv', 'SUCCEEDED'],
    ['data/defects/movies_2024_q2.csv', 'PARTIAL'],
    ['data/rejected/movies_2024_q3.csv', 'QUALITY_FAILED'],
    // Bytes past a VARCHAR, numbers past an INTEGER and a SMALLINT: quarantined, not a failed COPY.
    ['test/fixtures/drops/redshift-limits.csv', 'PARTIAL'],
  ])(
    'writes what the twin writes for %s (%s)',
    async (file, status) => {
      const key = `input_data/${file.split('/').slice(-2).join('/')}`;
      const ts = await reference(file, key);
      const run = runJob(status, readFileSync(file), key, ts.dq);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);

      const results = JSON.parse(run.read(`results/${EXECUTION}.json`)!.toString()) as unknown;
      const rejected = status === 'QUALITY_FAILED';
      const quarantine = rejected
        ? quarantineFileKey(EXECUTION, key)
        : status === 'PARTIAL'
          ? quarantineRowsKey(EXECUTION)
          : null;
      const etag = createHash('md5').update(readFileSync(file)).digest('hex');
      const source = sourceOf(BUCKET, key, etag, statSync(file).size, METADATA);
      expect(results).toEqual(
        JSON.parse(
          JSON.stringify(
            etlResults(
              ts.check,
              source,
              quarantine && `s3://${BUCKET}/${quarantine}`,
              ts.check.decision.rowsToLoad,
            ),
          ),
        ),
      );
      if (rejected) {
        expect(run.read(quarantine!)).toEqual(readFileSync(file)); // the file, whole
        expect(run.jdbc).toBeNull(); // nothing loads
        return;
      }
      if (quarantine) expect(run.read(quarantine)!.toString()).toBe(ts.bad.toString());
      const { expected, got } = goodRows(ts.good, run.jdbc!.rows);
      expect(got).toEqual(expected);
      expect(run.jdbc!.rows.every((r) => r.source_key === key)).toBe(true);
      expect(run.jdbc!.options.dbtable).toMatch(/^movies_staging\.movies_exec_0001$/);
      expect(run.jdbc!.options.aws_iam_role).toBe(ROLE);
    },
    60_000,
  );

  it('updates only the columns a narrow drop carries, whatever else its header has', async () => {
    const dir = mkdtempSync(join(root, 'narrow-'));
    const file = join(dir, 'narrow.csv');
    writeFileSync(
      file,
      'Series_Title,Released_Year,IMDB_Rating,Notes\nThe Glass Signal,2020,7.9,re-rated\nHeat,1995,8.3,new\n',
    );
    const ts = await reference(file, 'input_data/narrow.csv');
    const run = runJob('narrow', readFileSync(file), 'input_data/narrow.csv', ts.dq);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const merge = run.jdbc!.options.postactions!;
    const set = /UPDATE SET (.*?) WHEN NOT MATCHED/.exec(merge)![1]!;
    expect(set.split(', ').map((s) => s.split(' = ')[0])).toEqual([
      'title',
      'release_year',
      'imdb_rating',
      'source_key',
      'loaded_at',
    ]);
    expect(goodRows(ts.good, run.jdbc!.rows).got).toEqual(goodRows(ts.good, run.jdbc!.rows).expected);
  });

  it('refuses a drop larger than S3 can copy in one request before it reads a byte', () => {
    const size = MAX_DROP_BYTES + 1;
    const run = runJob(
      'huge',
      Buffer.alloc(0),
      'input_data/huge.csv',
      { rows: {}, ruleOutcomes: [] },
      'huge-etag',
      {
        size,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(tooLargeToDrop('input_data/huge.csv', size));
    expect(run.stderr).toContain('split it into smaller files');
    expect(run.read(`results/${EXECUTION}.json`)).toBeNull();
    expect(run.jdbc).toBeNull();
  });

  it('fails with one sentence for a file that cannot be a drop, and writes nothing', () => {
    const pointer = Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n');
    const run = runJob('lfs', pointer, 'input_data/lfs.csv', { rows: {}, ruleOutcomes: [] });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'input_data/lfs.csv:1: this is a Git LFS pointer, not the data (check out with LFS enabled, e.g. actions/checkout with lfs: true)',
    );
    expect(run.read(`results/${EXECUTION}.json`)).toBeNull();
  });

  it('leaves a drop replaced since the run started to its own run', async () => {
    const file = 'data/clean/movies_2024_q1.csv';
    const ts = await reference(file, 'input_data/clean.csv');
    const run = runJob(
      'replaced',
      readFileSync(file),
      'input_data/clean.csv',
      ts.dq,
      'etag-of-an-older-drop',
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      "input_data/clean.csv changed after this run started (a newer drop replaced it); that drop's own run loads it.",
    );
    expect(run.jdbc).toBeNull();
  });

  describe('a drop with a mapping', () => {
    const KEY = 'input_data/box/2024/export.csv';
    const MAPPING_KEY = 'input_data/box/movies.mapping';
    const MAPPING =
      'release_year: Release Date | year from date "MMM d yyyy"\nruntime_minutes: Running Time min | minutes\n' +
      'genres: Major Genre | list "/"\nvotes: IMDB Votes | number ","\n';
    const EXPORT = Buffer.from(
      'Title,Release Date,Running Time min,Major Genre,IMDB Rating,IMDB Votes\n' +
        'Out of Sight,Jun 26 1998,2h 3m,Comedy/Crime,7,"53,000"\n' +
        'Bathory,sometime in 2008,,,6.1,"1,446"\n',
    );
    const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
    let file: string;
    beforeAll(() => {
      file = join(mkdtempSync(join(root, 'export-')), 'export.csv');
      writeFileSync(file, EXPORT);
    });

    it.each([
      ['pinned by its uploader', { ...METADATA, mapping: MAPPING_KEY, 'mapping-etag': md5(MAPPING) }],
      ['found above a drop uploaded by hand', {}],
    ])('is read through it, %s, as the twin reads it', async (_, metadata: Record<string, string>) => {
      const ts = await reference(file, KEY, parseMapping(MAPPING, MAPPING_KEY));
      expect(ts.check.decision.verdict).toBe('PARTIAL');
      const run = runJob('mapped', EXPORT, KEY, ts.dq, undefined, undefined, {
        objects: { [MAPPING_KEY]: MAPPING },
        metadata,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const results = JSON.parse(run.read(`results/${EXECUTION}.json`)!.toString()) as { source: object };
      expect(results.source).toEqual({
        ...sourceOf(BUCKET, KEY, md5(EXPORT.toString()), EXPORT.length, metadata),
        mapping: MAPPING_KEY,
      });
      expect(run.read(quarantineRowsKey(EXECUTION))!.toString()).toBe(ts.bad.toString());
      const { expected, got } = goodRows(ts.good, run.jdbc!.rows);
      expect(got).toEqual(expected);
      expect(expected[0]!.slice(0, 5)).toEqual(['out-of-sight-1998', 'Out of Sight', '1998', '', '123']);
    });

    it('fails with one sentence when the mapping its uploader checked it with has changed', async () => {
      const ts = await reference(file, KEY, parseMapping(MAPPING, MAPPING_KEY));
      const run = runJob('remapped', EXPORT, KEY, ts.dq, undefined, undefined, {
        objects: { [MAPPING_KEY]: `${MAPPING}title: Title\n` },
        metadata: { mapping: MAPPING_KEY, 'mapping-etag': md5(MAPPING) },
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(
        `${KEY} was checked with the mapping ${MAPPING_KEY}, which has changed or is gone since; upload the drop again (with its mapping) to load it.`,
      );
      expect(run.jdbc).toBeNull();
    });

    it('fails with file:line for a mapping that does not parse, and reads no mapping its uploader did not name', () => {
      const dq = { rows: {}, ruleOutcomes: [] }; // neither run gets as far as the checks
      const bad = runJob('bad-mapping', EXPORT, KEY, dq, undefined, undefined, {
        objects: { [MAPPING_KEY]: 'release_year: Release Date | year from date "MMM d"\n' },
        metadata: {},
      });
      expect(bad.status).toBe(1);
      expect(bad.stderr.trim()).toBe(`${MAPPING_KEY}:1: the date format "MMM d" has no year (yyyy or yy)`);
      const none = runJob('no-mapping', EXPORT, KEY, dq, undefined, undefined, {
        objects: { [MAPPING_KEY]: MAPPING },
        metadata: { mapping: 'none' },
      });
      expect(none.status).toBe(1);
      expect(none.stderr).toContain(`${KEY}:1: missing required column: release_year`);
    });
  });
});
