/**
 * Uploading a drop: multipart for large files with bounded concurrency and memory
 * (@aws-sdk/lib-storage), `text/csv`, and metadata naming where it came from (commit,
 * repository, ref, PR, actor) so the pipeline can put it in the outcome.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, statSync } from 'node:fs';
import { SOURCE_METADATA, type DropOrigin } from '../contract/outcome.ts';

export interface UploadedDrop {
  readonly file: string;
  readonly bucket: string;
  readonly key: string;
  /** Without quotes, as EventBridge reports it. */
  readonly etag: string;
  readonly size: number;
  /** When the upload started: executions it triggered start after this. */
  readonly uploadedAt: Date;
}

/** Part size and parallel parts: 8 MiB × 4 keeps memory near 32 MiB for any file size. */
export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 4;

/** S3 metadata for a drop's origin: ASCII only, as S3 requires for user metadata. */
export function originMetadata(origin: DropOrigin): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(SOURCE_METADATA)) {
    const value = origin[field as keyof DropOrigin];
    if (value) out[name] = value.replace(/[^\x20-\x7e]/g, '?').slice(0, 256);
  }
  return out;
}

export async function uploadDrop(
  s3: S3Client,
  file: string,
  bucket: string,
  key: string,
  origin: DropOrigin,
  /** More metadata for the pipeline: the mapping the drop was checked with (MAPPING_METADATA). */
  extra: Readonly<Record<string, string>> = {},
): Promise<UploadedDrop> {
  const uploadedAt = new Date();
  const size = statSync(file).size;
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file),
      ContentType: 'text/csv',
      Metadata: { ...originMetadata(origin), ...extra },
    },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  const result = await upload.done();
  return { file, bucket, key, etag: String(result.ETag ?? '').replace(/"/g, ''), size, uploadedAt };
}
