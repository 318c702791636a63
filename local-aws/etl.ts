/**
 * The Glue ETL job, locally: the contract and the ruleset in one streaming pass; a failed gate
 * quarantines the whole file; otherwise bad rows go to bad_data/ and good rows are upserted into
 * the warehouse in one transaction. Writes the results JSON the state machine reads.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkDrop, type DropCheck } from '../contract/check.ts';
import { MAX_DROP_BYTES } from '../contract/contract.ts';
import {
  etlResults,
  quarantineFileKey,
  quarantineRowsKey,
  sourceOf,
  tooLargeToDrop,
} from '../contract/etl-results.ts';
import { PREFIXES } from '../contract/lake.ts';
import { MappingError, type Mapping } from '../contract/mapping.ts';
import { findMapping, MappingSourceError } from '../contract/mapping-location.ts';
import { DropFileError } from '../contract/movie-reader.ts';
import { NoSuchKey, type ObjectStore } from './object-store.ts';
import { taskError } from './task-error.ts';
import type { Warehouse } from './warehouse.ts';

export interface EtlDeps {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  /**
   * Where runs keep their work files (the good and bad rows of a drop, as large as the drop):
   * a directory of the twin's own, so that what a killed run left is found and removed.
   */
  readonly workDir: string;
}

/** Each run's work files go in a directory named so; nothing else in workDir is touched. */
const WORK_PREFIX = 'movies-etl-';

/** Removes the work files of runs a crash or a kill cut off. Call it before any run starts. */
export function removeLeftoverWork(workDir: string): void {
  mkdirSync(workDir, { recursive: true });
  for (const name of readdirSync(workDir))
    if (name.startsWith(WORK_PREFIX)) rmSync(join(workDir, name), { recursive: true, force: true });
}

/** The job's arguments, as the state machine passes them (--bucket, --key, ...). */
export interface EtlArgs {
  readonly bucket: string;
  readonly key: string;
  readonly execution: string;
  /** The ETag (unquoted) of the object the run was started for. */
  readonly etag: string;
  readonly resultsKey: string;
}

export function etlArgs(args: Readonly<Record<string, string>>): EtlArgs {
  return {
    bucket: args['--bucket']!,
    key: args['--key']!,
    execution: args['--execution']!,
    etag: args['--etag']!,
    resultsKey: args['--results_key']!,
  };
}

/** What the job does with a checked drop. */
export type EtlPlan =
  /** A failed gate: the object itself, as dropped, goes to quarantine; nothing loads. */
  | { readonly action: 'quarantine-file'; readonly quarantineKey: string }
  /** The good rows load; the bad ones, if any, go to quarantine as one CSV. */
  | { readonly action: 'load'; readonly quarantineKey: string | null };

export function etlPlan(check: DropCheck, execution: string, key: string): EtlPlan {
  if (check.decision.verdict === 'QUALITY_FAILED')
    return { action: 'quarantine-file', quarantineKey: quarantineFileKey(execution, key) };
  return {
    action: 'load',
    quarantineKey: check.decision.rowsToQuarantine ? quarantineRowsKey(execution) : null,
  };
}

/** Runs the job for the Glue job's arguments; answers as glue:startJobRun.sync does. */
export async function runLocalEtl(deps: EtlDeps, args: Readonly<Record<string, string>>): Promise<unknown> {
  const { store, warehouse } = deps;
  const { bucket, key, execution, etag, resultsKey } = etlArgs(args);
  const meta = store.head(bucket, key);
  // The object this run was started for, not a newer one dropped under the same key since
  // (checked again before the object itself is copied to quarantine).
  const pinned = (): void => {
    if (store.head(bucket, key).etag.replace(/"/g, '') !== etag)
      throw taskError(
        'States.TaskFailed',
        `${key} changed after this run started (a newer drop replaced it); that drop's own run loads it.`,
      );
  };
  pinned();
  if (meta.size > MAX_DROP_BYTES) throw taskError('States.TaskFailed', tooLargeToDrop(key, meta.size));
  const mapping = readMapping(store, bucket, key, meta.metadata);
  const source = {
    ...sourceOf(bucket, key, meta.etag, meta.size, meta.metadata),
    ...(mapping ? { mapping: mapping.file } : {}),
  };
  mkdirSync(deps.workDir, { recursive: true });
  const work = mkdtempSync(join(deps.workDir, WORK_PREFIX));
  try {
    const goodPath = join(work, 'good.csv');
    const badPath = join(work, 'bad.csv');
    let check;
    try {
      check = await checkDrop(key, store.stream(bucket, key), {
        goodPath,
        badPath,
        ...(mapping ? { mapping } : {}),
      });
    } catch (err) {
      if (err instanceof DropFileError) throw taskError('States.TaskFailed', err.message);
      throw err;
    }
    const plan = etlPlan(check, execution, key);
    let rowsLoaded = 0;
    if (plan.action === 'quarantine-file') {
      pinned();
      store.copy(bucket, key, bucket, plan.quarantineKey);
    } else {
      if (plan.quarantineKey) store.put(bucket, plan.quarantineKey, readFileSync(badPath), 'text/csv');
      rowsLoaded = await warehouse.load(readFileSync(goodPath), key, check.layout);
    }
    const quarantine = plan.quarantineKey;
    const written = etlResults(check, source, quarantine && `s3://${bucket}/${quarantine}`, rowsLoaded);
    store.put(bucket, resultsKey, Buffer.from(JSON.stringify(written)), 'application/json');
    return { JobName: 'movie_data_analysis', JobRunState: 'SUCCEEDED', Id: `jr_${execution}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The mapping this drop is read through, found as the Glue job finds it (findMapping). */
function readMapping(
  store: ObjectStore,
  bucket: string,
  key: string,
  metadata: Readonly<Record<string, string>>,
): Mapping | null {
  const get = (k: string, etag: string | undefined): Buffer | null => {
    try {
      if (etag !== undefined && store.head(bucket, k).etag.replace(/"/g, '') !== etag) return null;
      return store.read(bucket, k);
    } catch (err) {
      if (err instanceof NoSuchKey) return null;
      throw err;
    }
  };
  try {
    return findMapping(key, PREFIXES.input, metadata, get);
  } catch (err) {
    if (err instanceof MappingError || err instanceof MappingSourceError)
      throw taskError('States.TaskFailed', err.message);
    throw err;
  }
}
