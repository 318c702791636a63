/** The first rows of a quarantine CSV, for the alert's thread and its "Show failed rows" button. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CsvReader } from '../contract/csv.ts';
import { PREFIXES } from '../contract/lake.ts';
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

/** Up to `n` rows of the quarantine at `uri`, which must be in the pipeline's bucket (a range read: never the whole object). */
export async function quarantineSample(
  s3: S3Client,
  bucket: string,
  uri: string,
  n: number,
): Promise<QuarantineSample> {
  // Only quarantine objects of our own bucket: a button's value comes back from Slack.
  const prefix = `s3://${bucket}/${PREFIXES.badData}`;
  if (!uri.startsWith(prefix))
    throw new QuarantineUnavailable("That quarantine is not in the pipeline's bucket.");
  let bytes: Buffer;
  try {
    const r = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: uri.slice(`s3://${bucket}/`.length),
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
