/**
 * The drop core shared by the GitHub Action and `movies drop`: upload each file, follow the
 * execution it starts, and report per file. Bounded concurrency; one file's failure never
 * stops the others.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { describeAwsError } from '../contract/aws-error.ts';
import { MappingError } from '../contract/mapping.ts';
import { MAPPING_METADATA, mappingFor, NO_MAPPING } from '../contract/mapping-location.ts';
import type { DropOrigin } from '../contract/outcome.ts';
import { failedRules, type FailedRule } from '../contract/outcome-view.ts';
import type { DropStatus } from '../contract/status.ts';
import { followDrop } from './follow.ts';
import { uploadDrop } from './upload.ts';

export interface DropResult {
  readonly file: string;
  readonly key: string;
  readonly status: DropStatus;
  readonly executionArn?: string;
  readonly consoleUrl?: string;
  readonly rowsLoaded?: number;
  readonly rowsQuarantined?: number;
  readonly quarantineUri?: string;
  readonly failedRules?: readonly FailedRule[];
  /** States the execution entered, in order. */
  readonly path?: readonly string[];
  /** Why the run failed, timed out or could not be followed. */
  readonly error?: string;
  /** The movies.mapping the run read the drop through (its key). */
  readonly mapping?: string;
}

export interface DropOptions {
  /** Files are named relative to this directory (the repository); default the working directory. */
  readonly root?: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly stateMachineArn?: string;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly origin: DropOrigin;
  readonly log?: (line: string) => void;
}

/**
 * The object key for a file named relative to the root (the repository): the prefix plus its path
 * under data/, or from the root; a file outside the root (absolute, or up a `..`) by its name alone.
 */
export function keyFor(file: string, prefix: string): string {
  const path = posix.normalize(file.replace(/\\/g, '/'));
  const outside = posix.isAbsolute(path) || path === '..' || path.startsWith('../');
  const under = outside ? posix.basename(path) : path.startsWith('data/') ? path.slice('data/'.length) : path;
  return `${prefix.replace(/\/*$/, '/')}${under}`;
}

export async function dropFiles(
  clients: { s3: S3Client; sfn: SFNClient },
  files: readonly string[],
  options: DropOptions,
): Promise<DropResult[]> {
  const log = options.log ?? (() => undefined);
  const deadline = new Date(Date.now() + options.timeoutMs);
  const results: DropResult[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) results[i] = await dropOne(files[i]!);
  };
  const dropOne = async (file: string): Promise<DropResult> => {
    const key = keyFor(file, options.prefix);
    try {
      return await uploadAndFollow(file, key);
    } catch (err) {
      return { file, key, status: 'FAILED', error: describeAwsError(err) };
    }
  };
  // Each mapping is uploaded once, before the first drop it maps; its ETag pins it for their runs.
  const mappings = new Map<string, Promise<Record<string, string>>>();
  const uploadMapping = (path: string): Promise<Record<string, string>> => {
    let uploading = mappings.get(path);
    if (!uploading) {
      const key = keyFor(path, options.prefix);
      uploading = clients.s3
        .send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: readFileSync(isAbsolute(path) ? path : join(root, path)),
            ContentType: 'text/plain; charset=utf-8',
          }),
        )
        .then((put) => {
          log(`${path}: uploaded to s3://${options.bucket}/${key} (the mapping of the drops below it)`);
          return {
            [MAPPING_METADATA.key]: key,
            [MAPPING_METADATA.etag]: String(put.ETag ?? '').replace(/"/g, ''),
          };
        });
      mappings.set(path, uploading);
    }
    return uploading;
  };
  const root = options.root ?? '.';
  const uploadAndFollow = async (file: string, key: string): Promise<DropResult> => {
    const unsafe = /[^A-Za-z0-9._/-]/.exec(key);
    if (unsafe)
      return {
        file,
        key,
        status: 'FAILED',
        error: `The object key ${key} would contain ${JSON.stringify(unsafe[0])}, which the pipeline's archive step cannot copy; name data files with letters, digits, '.', '_', '-' and '/'.`,
      };
    // The mapping is checked before anything is uploaded: a drop it cannot map is not sent.
    let mappingPath: string | null;
    try {
      mappingPath = mappingFor(root, file)?.file ?? null;
    } catch (err) {
      if (err instanceof MappingError) return { file, key, status: 'FAILED', error: err.message };
      throw err;
    }
    if (options.dryRun) {
      log(
        `${file}: would upload to s3://${options.bucket}/${key}${mappingPath ? `, mapped by ${mappingPath}` : ''} (dry run)`,
      );
      return { file, key, status: 'DRY_RUN' };
    }
    const mapping = mappingPath ? await uploadMapping(mappingPath) : { [MAPPING_METADATA.key]: NO_MAPPING };
    const uploaded = await uploadDrop(
      clients.s3,
      isAbsolute(file) ? file : join(root, file),
      options.bucket,
      key,
      options.origin,
      mapping,
    );
    log(`${file}: uploaded to s3://${options.bucket}/${key} (${uploaded.size} bytes, etag ${uploaded.etag})`);
    if (!options.wait || !options.stateMachineArn) return { file, key, status: 'UPLOADED' };
    const followed = await followDrop(clients.sfn, uploaded, {
      stateMachineArn: options.stateMachineArn,
      pollMs: options.pollMs,
      deadline,
      onState: (state) => log(`${file}: → ${state}`),
    });
    if (followed.status !== 'DONE')
      return {
        file,
        key,
        status: followed.status === 'TIMEOUT' ? 'TIMEOUT' : 'FAILED',
        ...(followed.executionArn ? { executionArn: followed.executionArn } : {}),
        path: followed.path,
        error: followed.reason,
      };
    const o = followed.outcome;
    return {
      file,
      key,
      status: o.status,
      executionArn: followed.executionArn,
      consoleUrl: o.execution.consoleUrl,
      rowsLoaded: o.load?.rowsLoaded ?? 0,
      rowsQuarantined: o.quarantine?.rows ?? 0,
      ...(o.quarantine ? { quarantineUri: o.quarantine.uri } : {}),
      // As the repository names it; the pipeline's key for a drop uploaded without one.
      ...((mappingPath ?? o.source.mapping) ? { mapping: mappingPath ?? o.source.mapping } : {}),
      failedRules: failedRules(o.quality),
      path: followed.path,
      ...(o.error ? { error: `${o.error.state}: ${o.error.error}: ${o.error.cause}` } : {}),
    };
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, files.length)) }, worker));
  return results;
}
