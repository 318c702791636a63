/**
 * The twin's S3 storage: objects as files under the data directory, with a JSON sidecar for
 * their metadata and an in-memory index rebuilt at start. Writes go to a temp file and are
 * renamed into place, so a crash never leaves half an object.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { validBucketName } from './s3-target.ts';

export interface ObjectMeta {
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 returns it. */
  readonly etag: string;
  readonly contentType: string;
  readonly lastModified: string;
  /** x-amz-meta-* (lower-case names, without the prefix). */
  readonly metadata: Readonly<Record<string, string>>;
}

export class NoSuchBucket extends Error {}
export class NoSuchKey extends Error {}

export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, ObjectMeta>>();

  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
    for (const bucket of readdirSync(root)) {
      const index = new Map<string, ObjectMeta>();
      for (const f of readdirSync(join(root, bucket))) {
        // Leftovers of a write interrupted by a crash: never part of an object.
        if (f.startsWith('.tmp-')) {
          rmSync(join(root, bucket, f), { force: true });
          continue;
        }
        if (!f.endsWith('.json')) continue;
        let meta: ObjectMeta;
        try {
          meta = JSON.parse(readFileSync(join(root, bucket, f), 'utf8')) as ObjectMeta;
        } catch {
          continue;
        }
        const body = this.bodyPath(bucket, meta.key);
        // A crash between the two renames leaves a body that its metadata does not describe.
        if (existsSync(body) && statSync(body).size === meta.size) index.set(meta.key, meta);
      }
      this.buckets.set(bucket, index);
    }
  }

  createBucket(bucket: string): void {
    // The name becomes a directory: never one outside the root.
    if (!validBucketName(bucket)) throw new Error(`${bucket} is not a valid bucket name.`);
    if (!this.buckets.has(bucket)) {
      mkdirSync(join(this.root, bucket), { recursive: true });
      this.buckets.set(bucket, new Map());
    }
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  put(
    bucket: string,
    key: string,
    body: Buffer,
    contentType = 'binary/octet-stream',
    metadata: Record<string, string> = {},
    etag?: string,
  ): ObjectMeta {
    const index = this.index(bucket);
    const meta: ObjectMeta = {
      key,
      size: body.length,
      etag: etag ?? `"${createHash('md5').update(body).digest('hex')}"`,
      contentType,
      lastModified: new Date().toISOString(),
      metadata,
    };
    const tmp = join(this.root, bucket, `.tmp-${randomUUID()}`);
    writeFileSync(tmp, body);
    renameSync(tmp, this.bodyPath(bucket, key));
    writeFileSync(`${tmp}.json`, JSON.stringify(meta));
    renameSync(`${tmp}.json`, this.metaPath(bucket, key));
    index.set(key, meta);
    return meta;
  }

  head(bucket: string, key: string): ObjectMeta {
    const meta = this.index(bucket).get(key);
    if (!meta) throw new NoSuchKey(key);
    return meta;
  }

  read(bucket: string, key: string): Buffer {
    this.head(bucket, key);
    return readFileSync(this.bodyPath(bucket, key));
  }

  /**
   * A stream of the object's bytes, optionally a range [start, end] (inclusive). The file is
   * opened now, so a delete or an overwrite that lands while it streams cannot break the read.
   */
  stream(bucket: string, key: string, range?: { start: number; end: number }): Readable {
    this.head(bucket, key);
    let fd: number;
    try {
      fd = openSync(this.bodyPath(bucket, key), 'r');
    } catch {
      throw new NoSuchKey(key);
    }
    return createReadStream('', { fd, ...range });
  }

  copy(fromBucket: string, fromKey: string, toBucket: string, toKey: string): ObjectMeta {
    const source = this.head(fromBucket, fromKey);
    return this.put(
      toBucket,
      toKey,
      this.read(fromBucket, fromKey),
      source.contentType,
      { ...source.metadata },
      source.etag,
    );
  }

  delete(bucket: string, key: string): void {
    const index = this.index(bucket);
    if (!index.delete(key)) return;
    rmSync(this.metaPath(bucket, key), { force: true });
    rmSync(this.bodyPath(bucket, key), { force: true });
  }

  /** Keys in lexicographic order (as S3 lists them). */
  keys(bucket: string, prefix = ''): ObjectMeta[] {
    return [...this.index(bucket).values()]
      .filter((m) => m.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private index(bucket: string): Map<string, ObjectMeta> {
    const index = this.buckets.get(bucket);
    if (!index) throw new NoSuchBucket(bucket);
    return index;
  }

  private bodyPath(bucket: string, key: string): string {
    return join(this.root, bucket, createHash('sha256').update(key).digest('hex'));
  }

  private metaPath(bucket: string, key: string): string {
    return `${this.bodyPath(bucket, key)}.json`;
  }
}
