/**
 * What each Task state of the pipeline does locally. The state machine passes each handler
 * the same parameters AWS would get; handlers answer with the same shapes AWS returns.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATES } from '../infra/constructs/pipeline-state-machine.ts';
import { checkDrop } from '../contract/check.ts';
import { contractColumnFor, INPUT_COLUMNS, MAX_DROP_BYTES, TABLE_NAME } from '../contract/contract.ts';
import { CsvReader } from '../contract/csv.ts';
import {
  etlResults,
  quarantineFileKey,
  quarantineRowsKey,
  sourceOf,
  tooLargeToDrop,
} from '../contract/etl-results.ts';
import { DropFileError } from '../contract/movie-reader.ts';
import { PREFIXES } from '../contract/lake.ts';
import type { ObjectStore } from './object-store.ts';
import { parseCopySource } from './s3-api.ts';
import type { RedshiftDataApi } from './redshift-data-api.ts';
import type { Sns } from './sns.ts';
import type { TaskHandler } from './stepfunctions.ts';
import type { Warehouse } from './warehouse.ts';

export interface HandlerDeps {
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly warehouse: Warehouse;
  readonly redshift: RedshiftDataApi;
  readonly sns: Sns;
  readonly catalogPath: string;
  /** The Glue job's MaxConcurrentRuns, as the synthesized template sets it. */
  readonly maxConcurrentRuns: number;
}

/** A task failure with the error name Step Functions would report. */
function taskError(error: string, cause: string): Error {
  return Object.assign(new Error(cause), { name: error });
}

export function pipelineHandlers(deps: HandlerDeps): Record<string, TaskHandler> {
  const { store, warehouse, redshift, sns } = deps;
  let jobRuns = 0;
  const ready = { Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } };
  const publish: TaskHandler = async (input) => {
    const attrs = (input.MessageAttributes ?? {}) as Record<
      string,
      { DataType: string; StringValue: string }
    >;
    const m = sns.publish(
      String(input.TopicArn),
      String(input.Message),
      Object.fromEntries(
        Object.entries(attrs).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }]),
      ),
    );
    return { MessageId: m.MessageId };
  };
  return {
    [STATES.startInputCrawler]: async () => ({}),
    [STATES.getInputCrawler]: async () => {
      crawlInput(deps);
      return ready;
    },
    [STATES.startWarehouseCrawler]: async () => ({}),
    [STATES.getWarehouseCrawler]: async () => {
      await crawlWarehouse(deps);
      return ready;
    },
    [STATES.runEtl]: async (input) =>
      startJobRun(String(input.JobName), () => runEtl(input.Arguments as Record<string, string>)),
    [STATES.readResults]: async (input) => ({
      Body: store.read(String(input.Bucket), String(input.Key)).toString('utf8'),
    }),
    [STATES.refreshViews]: async (input) =>
      redshift.submit((input.Sqls as string[]).map(String), input, true),
    [STATES.getRefresh]: async (input) => redshift.describe(String(input.Id)),
    [STATES.copyToArchive]: async (input) => {
      const from = parseCopySource(String(input.CopySource));
      const wanted = input.CopySourceIfMatch;
      if (wanted !== undefined && store.head(from.bucket, from.key).etag !== String(wanted))
        throw taskError(
          'S3.S3Exception',
          'At least one of the pre-conditions you specified did not hold (Service: S3, Status Code: 412, Error Code: PreconditionFailed)',
        );
      const meta = store.copy(from.bucket, from.key, String(input.Bucket), String(input.Key));
      return { CopyObjectResult: { ETag: meta.etag, LastModified: meta.lastModified } };
    },
    [STATES.deleteInput]: async (input) => {
      store.delete(String(input.Bucket), String(input.Key));
      return {};
    },
    [STATES.publishSuccess]: publish,
    [STATES.publishQuality]: publish,
    [STATES.publishFailure]: publish,
  };

  /** Glue refuses a run of a job that already has MaxConcurrentRuns runs in progress. */
  async function startJobRun(jobName: string, run: () => Promise<unknown>): Promise<unknown> {
    if (jobRuns >= deps.maxConcurrentRuns)
      throw taskError(
        'Glue.ConcurrentRunsExceededException',
        `Concurrent runs exceeded for ${jobName} (Service: AWSGlue; Status Code: 400; Error Code: ConcurrentRunsExceededException)`,
      );
    jobRuns++;
    try {
      return await run();
    } finally {
      jobRuns--;
    }
  }

  /**
   * The ETL job, locally: the contract and the ruleset in one streaming pass; a failed gate
   * quarantines the whole file; otherwise bad rows go to bad_data/ and good rows are upserted
   * into the warehouse in one transaction. Writes the results JSON the state machine reads.
   */
  async function runEtl(args: Record<string, string>): Promise<unknown> {
    const bucket = args['--bucket']!;
    const key = args['--key']!;
    const execution = args['--execution']!;
    const meta = store.head(bucket, key);
    // The object this run was started for, not a newer one dropped under the same key since
    // (checked again before the object itself is copied to quarantine).
    const pinned = (): void => {
      if (store.head(bucket, key).etag.replace(/"/g, '') !== args['--etag'])
        throw taskError(
          'States.TaskFailed',
          `${key} changed after this run started (a newer drop replaced it); that drop's own run loads it.`,
        );
    };
    pinned();
    if (meta.size > MAX_DROP_BYTES) throw taskError('States.TaskFailed', tooLargeToDrop(key, meta.size));
    const source = sourceOf(bucket, key, meta.etag, meta.size, meta.metadata);
    const work = mkdtempSync(join(tmpdir(), 'movies-etl-'));
    try {
      const goodPath = join(work, 'good.csv');
      const badPath = join(work, 'bad.csv');
      let check;
      try {
        check = await checkDrop(key, store.stream(bucket, key), { goodPath, badPath });
      } catch (err) {
        if (err instanceof DropFileError) throw taskError('States.TaskFailed', err.message);
        throw err;
      }
      let quarantine: string | null = null;
      let rowsLoaded = 0;
      if (check.decision.verdict === 'QUALITY_FAILED') {
        quarantine = quarantineFileKey(execution, key);
        pinned();
        store.copy(bucket, key, bucket, quarantine);
      } else {
        if (check.decision.rowsToQuarantine) {
          quarantine = quarantineRowsKey(execution);
          store.put(bucket, quarantine, readFileSync(badPath), 'text/csv');
        }
        rowsLoaded = await warehouse.load(new Blob([readFileSync(goodPath)]), key, check.layout);
      }
      const written = etlResults(check, source, quarantine && `s3://${bucket}/${quarantine}`, rowsLoaded);
      store.put(bucket, args['--results_key']!, Buffer.from(JSON.stringify(written)), 'application/json');
      return { JobName: 'movie_data_analysis', JobRunState: 'SUCCEEDED', Id: `jr_${execution}` };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

interface Catalog {
  tables: Record<
    string,
    {
      columns: { name: string; type: string }[];
      location?: string;
      drift?: Record<string, { unknownColumns: string[]; missingRequired: string[] }>;
      updatedAt: string;
    }
  >;
}

function readCatalog(path: string): Catalog {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  } catch {
    return { tables: {} };
  }
}

/**
 * The S3 crawler, locally: the header of every CSV under input_data/ becomes the table's schema
 * in the local catalog, with each file's drift from the contract (unknown and missing columns).
 */
function crawlInput(d: HandlerDeps): void {
  const catalog = readCatalog(d.catalogPath);
  const columns = new Map<string, string>();
  const drift: Record<string, { unknownColumns: string[]; missingRequired: string[] }> = {};
  for (const meta of d.store.keys(d.bucket, PREFIXES.input).filter((m) => m.key.endsWith('.csv'))) {
    const head = d.store.read(d.bucket, meta.key).subarray(0, 64 * 1024);
    let header: string[] = [];
    const reader = new CsvReader((r) => {
      if (!header.length) header = Array.from({ length: r.count }, (_, i) => r.field(i));
    });
    try {
      reader.push(head);
    } catch {
      continue; // unreadable files are the ETL job's to report
    }
    for (const h of header) columns.set(h, 'string');
    drift[meta.key] = {
      unknownColumns: header.filter((h) => !contractColumnFor(h)),
      missingRequired: INPUT_COLUMNS.filter(
        (c) => c.required && !header.some((h) => contractColumnFor(h)?.name === c.name),
      ).map((c) => c.name),
    };
  }
  catalog.tables.input_data = {
    columns: [...columns.keys()].map((name) => ({ name, type: 'string' })),
    location: `s3://${d.bucket}/${PREFIXES.input}`,
    drift,
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(d.catalogPath, JSON.stringify(catalog, null, 2));
}

/** The warehouse crawler, locally: the movies table's columns into the local catalog. */
async function crawlWarehouse(d: HandlerDeps): Promise<void> {
  const r = await d.warehouse.exclusive((db) =>
    db.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [TABLE_NAME],
    ),
  );
  const catalog = readCatalog(d.catalogPath);
  catalog.tables[`movies_public_${TABLE_NAME}`] = {
    columns: r.rows.map((c) => ({ name: c.column_name, type: c.data_type })),
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(d.catalogPath, JSON.stringify(catalog, null, 2));
}
