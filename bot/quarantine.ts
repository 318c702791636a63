/** The first rows of a quarantine CSV, for the alert's thread and its "Show failed rows" button. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CsvReader } from '../contract/csv.ts';
import { PREFIXES } from '../contract/lake.ts';
import { logSafe } from './log-safe.ts';
import type { Row } from './warehouse.ts';

const SAMPLE_BYTES = 64 * 1024;
/** The columns worth a glance, when the quarantine has them: which row, which film, and why. */
const TELLING = [
  'source_line',
  'Series_Title',
  'title',
  'Released_Year',
  'release_year',
  'ContractViolations',
  'DataQualityRulesFail',
];

/** Why the rows could not be read, in one sentence. */
export class QuarantineUnavailable extends Error {}

export interface QuarantineSample {
  readonly rows: Row[];
  readonly columns: string[];
}

/**
 * The key of the quarantine object at `uri`, which must be in the pipeline's bucket under its bad-data
 * prefix: a button's value comes back from Slack. Checked as the literal key S3 is asked for, with no
 * "." or ".." segments: a server that resolves them (the twin did) would read another prefix.
 */
export function quarantineKey(bucket: string, uri: string): string {
  const base = `s3://${bucket}/`;
  if (!uri.startsWith(base))
    throw new QuarantineUnavailable(
      `That is not a quarantine of the pipeline's bucket: ${quoted(uri)} is not in s3://${bucket}/.`,
    );
  const key = uri.slice(base.length);
  const segments = key.split('/');
  if (
    !key.startsWith(PREFIXES.badData) ||
    segments.length < 3 ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f\\]/.test(key)
  )
    throw new QuarantineUnavailable(
      `That is not a quarantine object: ${quoted(uri)} is not a file under ${base}${PREFIXES.badData} (no "." or ".." in its path).`,
    );
  return key;
}

/** What the button carried, as it may be shown: escaped and cut. */
const quoted = (uri: string): string => `"${logSafe(uri)}"`;

/** Up to `n` rows of the quarantine at `uri`, which must be in the pipeline's bucket (a range read: never the whole object). */
export async function quarantineSample(
  s3: S3Client,
  bucket: string,
  uri: string,
  n: number,
): Promise<QuarantineSample> {
  const key = quarantineKey(bucket, uri);
  let bytes: Buffer;
  try {
    const r = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=0-${SAMPLE_BYTES - 1}`,
      }),
      { abortSignal: AbortSignal.timeout(5000) },
    );
    bytes = Buffer.from(await r.Body!.transformToByteArray());
  } catch (err) {
    throw new QuarantineUnavailable(`The quarantined rows could not be read: ${(err as Error).message}`);
  }
  const rows: Row[] = [];
  let header: string[] | null = null;
  const reader = new CsvReader((rec) => {
    const fields = Array.from({ length: rec.count }, (_, i) => rec.field(i));
    if (!header) header = fields;
    else if (rows.length < n) rows.push(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? null])));
  });
  try {
    reader.push(bytes);
  } catch {
    // The range may end inside a quoted field: the rows read completely are enough.
  }
  const all = Object.keys(rows[0] ?? {});
  const telling = all.filter((c) => TELLING.includes(c));
  return { rows, columns: telling.length ? telling : all.slice(0, 4) };
}
