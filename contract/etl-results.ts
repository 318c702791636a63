/** A drop check as the ETL step reports it (results/<execution>.json), shared by the local twin. */
import type { DropCheck } from './check.ts';
import { PREFIXES } from './lake.ts';
import { MAX_DROP_BYTES, TABLE_NAME } from './contract.ts';
import { SOURCE_METADATA, type EtlResults, type OutcomeQuality, type OutcomeSource } from './outcome.ts';

export function qualityOf(check: DropCheck): OutcomeQuality {
  const m = check.result.AggregatedMetrics;
  return {
    score: check.result.Score,
    rowsProcessed: m.TotalRowsProcessed,
    rowsPassed: m.TotalRowsPassed,
    rowsFailed: m.TotalRowsFailed,
    rules: check.result.RuleResults.map((r, i) => ({
      name: r.Name,
      rule: r.Description,
      result: r.Result,
      gate: check.rules[i]!.tolerance,
      ...(r.EvaluationMessage ? { message: r.EvaluationMessage } : {}),
      metrics: r.EvaluatedMetrics,
    })),
    gatesFailed: check.decision.gatesFailed,
    reasons: check.reasons.slice(0, 10),
  };
}

/** The outcome's source: the object plus the metadata the Action set on it (commit, PR, actor, ...). */
export function sourceOf(
  bucket: string,
  key: string,
  etag: string,
  size: number,
  metadata: Readonly<Record<string, string>>,
): OutcomeSource {
  const source: Record<string, string | number> = { bucket, key, etag: etag.replace(/"/g, ''), size };
  for (const [field, name] of Object.entries(SOURCE_METADATA))
    if (metadata[name] !== undefined) source[field] = metadata[name];
  return source as unknown as OutcomeSource;
}

/**
 * `bucket/key` as S3 CopyObject's CopySource wants it: URL-encoded as RFC 3986 (every byte of the
 * UTF-8 key but letters, digits, `-._~` and the slashes), since S3 decodes it (a raw `+` would
 * read as a space, a raw `%` as an escape). The Glue job's copy_source is the same function.
 */
export function copySourceOf(bucket: string, key: string): string {
  return `${bucket}/${key}`
    .split('/')
    .map((part) =>
      encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/** Why a file over MAX_DROP_BYTES is refused (too_large in the Glue library's movies_outcome). */
export function tooLargeToDrop(key: string, size: number): string {
  return `${key}: the file is ${size} bytes; a drop can be at most ${MAX_DROP_BYTES} bytes (5 GiB, the largest object S3 copies in one request), so nothing was loaded: split it into smaller files.`;
}

/** Where a drop rejected whole is quarantined: under its own file name (file_key in the Glue library). */
export function quarantineFileKey(execution: string, key: string): string {
  return `${PREFIXES.badData}${execution}/${key.split('/').pop()}`;
}

/** Where the failed rows of a partly loaded drop go, one CSV (rows_key in the Glue library). */
export function quarantineRowsKey(execution: string): string {
  return `${PREFIXES.badData}${execution}/rows/bad.csv`;
}

/** The results JSON of a checked drop (results in the Glue library's movies_outcome). */
export function etlResults(
  check: DropCheck,
  source: OutcomeSource,
  quarantineUri: string | null,
  rowsLoaded: number,
): EtlResults {
  const quality = qualityOf(check);
  const rejected = check.decision.verdict === 'QUALITY_FAILED';
  return {
    status: check.decision.verdict,
    source,
    quality,
    load: { table: TABLE_NAME, rowsLoaded: rejected ? 0 : rowsLoaded },
    quarantine: quarantineUri
      ? { uri: quarantineUri, rows: rejected ? quality.rowsProcessed : quality.rowsFailed }
      : null,
    copySource: copySourceOf(source.bucket, source.key),
  };
}

export type { EtlResults };
