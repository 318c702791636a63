import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DropCheck } from '../../contract/check.ts';
import { quarantineFileKey, quarantineRowsKey } from '../../contract/etl-results.ts';
import type { EtlResults } from '../../contract/outcome.ts';
import { etlArgs, etlPlan, runLocalEtl } from '../../local-aws/etl.ts';
import { ObjectStore } from '../../local-aws/object-store.ts';
import { Warehouse } from '../../local-aws/warehouse.ts';

const checked = (verdict: string, rowsToQuarantine: number): DropCheck =>
  ({ decision: { verdict, gatesFailed: [], rowsToLoad: 0, rowsToQuarantine } }) as unknown as DropCheck;

describe('the local ETL job, its pure parts', () => {
  it('reads the arguments the state machine passes', () => {
    expect(
      etlArgs({
        '--bucket': 'b',
        '--key': 'input_data/m.csv',
        '--execution': 'x',
        '--etag': 'e',
        '--results_key': 'results/x.json',
      }),
    ).toEqual({
      bucket: 'b',
      key: 'input_data/m.csv',
      execution: 'x',
      etag: 'e',
      resultsKey: 'results/x.json',
    });
  });

  it('quarantines the whole file when a gate fails, else loads and quarantines the bad rows if any', () => {
    const key = 'input_data/m.csv';
    expect(etlPlan(checked('QUALITY_FAILED', 3), 'x', key)).toEqual({
      action: 'quarantine-file',
      quarantineKey: quarantineFileKey('x', key),
    });
    expect(etlPlan(checked('PARTIAL', 3), 'x', key)).toEqual({
      action: 'load',
      quarantineKey: quarantineRowsKey('x'),
    });
    expect(etlPlan(checked('SUCCEEDED', 0), 'x', key)).toEqual({ action: 'load', quarantineKey: null });
  });
});

describe('the local ETL job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'movies-etl-test-'));
  const bucket = 'movies-gds';
  let store: ObjectStore;
  let warehouse: Warehouse;
  beforeAll(async () => {
    store = new ObjectStore(join(dir, 's3'));
    store.createBucket(bucket);
    warehouse = await Warehouse.open(join(dir, 'warehouse'));
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const drop = (sample: string, execution: string): Record<string, string> => {
    const key = `input_data/${sample.split('/').pop()}`;
    const meta = store.put(bucket, key, readFileSync(sample), 'text/csv');
    return {
      '--bucket': bucket,
      '--key': key,
      '--execution': execution,
      '--etag': meta.etag.replace(/"/g, ''),
      '--results_key': `results/${execution}.json`,
    };
  };
  const results = (execution: string): EtlResults =>
    JSON.parse(store.read(bucket, `results/${execution}.json`).toString('utf8')) as EtlResults;

  it('loads the good rows of a drop with defects and quarantines the bad ones', async () => {
    const args = drop('data/defects/movies_2024_q2.csv', 'partial');
    await expect(runLocalEtl({ store, warehouse, workDir: join(dir, 'tmp') }, args)).resolves.toEqual({
      JobName: 'movie_data_analysis',
      JobRunState: 'SUCCEEDED',
      Id: 'jr_partial',
    });
    const written = results('partial');
    expect(written).toMatchObject({
      status: 'PARTIAL',
      load: { rowsLoaded: written.quality.rowsPassed },
      quarantine: { uri: `s3://${bucket}/${quarantineRowsKey('partial')}`, rows: written.quality.rowsFailed },
    });
    expect(store.head(bucket, quarantineRowsKey('partial')).contentType).toBe('text/csv');
  });

  it('quarantines a rejected drop whole, as dropped, and loads nothing', async () => {
    const args = drop('data/rejected/movies_2024_q3.csv', 'rejected');
    await runLocalEtl({ store, warehouse, workDir: join(dir, 'tmp') }, args);
    expect(results('rejected')).toMatchObject({ status: 'QUALITY_FAILED', load: { rowsLoaded: 0 } });
    const quarantined = quarantineFileKey('rejected', args['--key']!);
    expect(store.read(bucket, quarantined)).toEqual(readFileSync('data/rejected/movies_2024_q3.csv'));
  });

  it('refuses an object replaced since the run started', async () => {
    const args = drop('data/clean/movies_2024_q1.csv', 'stale');
    store.put(bucket, args['--key']!, Buffer.from('movie_id\n'), 'text/csv');
    await expect(runLocalEtl({ store, warehouse, workDir: join(dir, 'tmp') }, args)).rejects.toMatchObject({
      name: 'States.TaskFailed',
    });
    expect(() => store.head(bucket, 'results/stale.json')).toThrow();
  });
});
