/**
 * Enough of S3's REST API (path-style, XML) for unmodified SDK clients and the AWS CLI:
 * buckets, Put (plain and aws-chunked bodies with trailing checksums, user metadata), Get
 * (ranges), Head, Delete, Copy, ListObjectsV2 (prefix, delimiter, pagination) and multipart
 * uploads. Errors carry S3's codes and XML. Requests are not authenticated: this is local.
 * Keys are taken literally from the raw request target (see s3-target.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { malformedXml, requestedParts, selectParts } from './complete-multipart.ts';
import { ApiError, readBody, sendXml, xmlEscape } from './http.ts';
import { NoSuchBucket, NoSuchKey, type ObjectMeta, type ObjectStore } from './object-store.ts';
import { checkKeyLength, s3Target, validBucketName } from './s3-target.ts';

export interface S3Events {
  /** Called after an object is created (Put, Copy, CompleteMultipartUpload). */
  objectCreated(bucket: string, meta: ObjectMeta, reason: string): void;
}

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
}

export class S3Api {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly store: ObjectStore,
    private readonly events: S3Events,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let resource = (req.url ?? '/').split('?')[0]!;
    try {
      const target = s3Target(req.url ?? '/');
      resource = target.resource;
      await this.route(req, res, target.bucket, target.key, target.query);
    } catch (err) {
      if (err instanceof NoSuchBucket)
        return s3Error(
          res,
          new ApiError(404, 'NoSuchBucket', 'The specified bucket does not exist'),
          resource,
        );
      if (err instanceof NoSuchKey)
        return s3Error(res, new ApiError(404, 'NoSuchKey', 'The specified key does not exist.'), resource);
      if (err instanceof ApiError) return s3Error(res, err, resource);
      throw err;
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    key: string,
    q: URLSearchParams,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (!bucket) {
      if (method !== 'GET')
        throw new ApiError(
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
        );
      const buckets = this.store
        .bucketNames()
        .map(
          (b) =>
            `<Bucket><Name>${xmlEscape(b)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`,
        );
      return sendXml(
        res,
        200,
        `<ListAllMyBucketsResult><Owner><ID>local</ID></Owner><Buckets>${buckets.join('')}</Buckets></ListAllMyBucketsResult>`,
      );
    }
    if (!key) {
      if (method === 'PUT') {
        await readBody(req);
        if (!validBucketName(bucket))
          throw new ApiError(400, 'InvalidBucketName', 'The specified bucket is not valid.');
        this.store.createBucket(bucket);
        res.writeHead(200, { location: `/${bucket}` }).end();
        return;
      }
      if (!this.store.hasBucket(bucket)) throw new NoSuchBucket(bucket);
      if (method === 'HEAD') return void res.writeHead(200).end();
      if (method === 'GET') return this.list(res, bucket, q);
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      );
    }
    if (!this.store.hasBucket(bucket)) throw new NoSuchBucket(bucket);
    switch (method) {
      case 'PUT':
        if (q.has('uploadId') && req.headers['x-amz-copy-source'])
          throw new ApiError(501, 'NotImplemented', 'UploadPartCopy is not supported by the local twin.');
        if (q.has('uploadId')) return this.uploadPart(req, res, bucket, key, q);
        if (req.headers['x-amz-copy-source']) return this.copy(req, res, bucket, key);
        return this.put(req, res, bucket, key);
      case 'GET':
      case 'HEAD':
        return this.get(req, res, bucket, key, method === 'HEAD');
      case 'DELETE':
        if (q.has('uploadId')) {
          this.uploads.delete(q.get('uploadId')!);
          return void res.writeHead(204).end();
        }
        this.store.delete(bucket, key);
        return void res.writeHead(204).end();
      case 'POST':
        if (q.has('uploads')) return this.createUpload(req, res, bucket, key);
        if (q.has('uploadId')) return this.completeUpload(req, res, bucket, key, q.get('uploadId')!);
        break;
    }
    throw new ApiError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  private async put(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    checkKeyLength(key);
    const body = decodeBody(req, await readBody(req));
    const meta = this.store.put(bucket, key, body, contentTypeOf(req), userMetadata(req));
    res.writeHead(200, { etag: meta.etag }).end();
    this.events.objectCreated(bucket, meta, 'PutObject');
  }

  private async copy(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    checkKeyLength(key);
    await readBody(req);
    const from = parseCopySource(String(req.headers['x-amz-copy-source']));
    const wanted = req.headers['x-amz-copy-source-if-match'];
    if (wanted !== undefined && this.store.head(from.bucket, from.key).etag !== String(wanted))
      throw new ApiError(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
      );
    const meta = this.store.copy(from.bucket, from.key, bucket, key);
    sendXml(
      res,
      200,
      `<CopyObjectResult><LastModified>${meta.lastModified}</LastModified><ETag>${xmlEscape(meta.etag)}</ETag></CopyObjectResult>`,
    );
    this.events.objectCreated(bucket, meta, 'CopyObject');
  }

  private get(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    key: string,
    headOnly: boolean,
  ): void {
    const meta = this.store.head(bucket, key);
    const headers: Record<string, string | number> = {
      etag: meta.etag,
      'content-type': meta.contentType,
      'last-modified': new Date(meta.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      ...Object.fromEntries(Object.entries(meta.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && meta.size > 0) {
      let start = range[1] ? Number(range[1]) : meta.size - Number(range[2]);
      let end = range[1]
        ? range[2]
          ? Math.min(Number(range[2]), meta.size - 1)
          : meta.size - 1
        : meta.size - 1;
      start = Math.max(0, start);
      if (start > end || start >= meta.size)
        throw new ApiError(416, 'InvalidRange', 'The requested range is not satisfiable');
      end = Math.min(end, meta.size - 1);
      res.writeHead(206, {
        ...headers,
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${meta.size}`,
      });
      if (headOnly) return void res.end();
      return sendStream(this.store.stream(bucket, key, { start, end }), res);
    }
    const body = headOnly ? null : this.store.stream(bucket, key);
    res.writeHead(200, { ...headers, 'content-length': meta.size });
    if (!body) return void res.end();
    sendStream(body, res);
  }

  private list(res: ServerResponse, bucket: string, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const max = Math.min(Number(q.get('max-keys') ?? 1000) || 1000, 1000);
    // ListObjectsV2 pages by continuation token (or starts after a key); version 1 by marker.
    const v2 = q.get('list-type') === '2';
    const token = q.get('continuation-token');
    const after = !v2
      ? (q.get('marker') ?? '')
      : token
        ? Buffer.from(token, 'base64url').toString()
        : (q.get('start-after') ?? '');
    const entries: ({ kind: 'key'; meta: ObjectMeta } | { kind: 'prefix'; prefix: string })[] = [];
    const seenPrefixes = new Set<string>();
    for (const meta of this.store.keys(bucket, prefix)) {
      let entry: (typeof entries)[number] = { kind: 'key', meta };
      if (delimiter) {
        const cut = meta.key.indexOf(delimiter, prefix.length);
        if (cut >= 0) {
          const common = meta.key.slice(0, cut + delimiter.length);
          if (seenPrefixes.has(common)) continue;
          seenPrefixes.add(common);
          entry = { kind: 'prefix', prefix: common };
        }
      }
      const name = entry.kind === 'key' ? entry.meta.key : entry.prefix;
      if (name <= after) continue;
      entries.push(entry);
    }
    const page = entries.slice(0, max);
    const truncated = entries.length > max;
    const last = page.at(-1);
    const lastName = last ? (last.kind === 'key' ? last.meta.key : last.prefix) : '';
    const contents = page
      .filter((e): e is { kind: 'key'; meta: ObjectMeta } => e.kind === 'key')
      .map(
        ({ meta }) =>
          `<Contents><Key>${xmlEscape(meta.key)}</Key><LastModified>${meta.lastModified}</LastModified><ETag>${xmlEscape(meta.etag)}</ETag><Size>${meta.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    const prefixes = page
      .filter((e): e is { kind: 'prefix'; prefix: string } => e.kind === 'prefix')
      .map((e) => `<CommonPrefixes><Prefix>${xmlEscape(e.prefix)}</Prefix></CommonPrefixes>`);
    sendXml(
      res,
      200,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
        `${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ''}<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
        (v2
          ? `<KeyCount>${page.length}</KeyCount>${token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ''}` +
            `${truncated ? `<NextContinuationToken>${Buffer.from(lastName).toString('base64url')}</NextContinuationToken>` : ''}`
          : `<Marker>${xmlEscape(after)}</Marker>${truncated ? `<NextMarker>${xmlEscape(lastName)}</NextMarker>` : ''}`) +
        `${contents.join('')}${prefixes.join('')}</ListBucketResult>`,
    );
  }

  private async createUpload(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    key: string,
  ): Promise<void> {
    checkKeyLength(key);
    await readBody(req);
    const uploadId = randomUUID();
    this.uploads.set(uploadId, {
      bucket,
      key,
      contentType: contentTypeOf(req),
      metadata: userMetadata(req),
      parts: new Map(),
    });
    sendXml(
      res,
      200,
      `<InitiateMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }

  private async uploadPart(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    key: string,
    q: URLSearchParams,
  ): Promise<void> {
    const partNumber = q.get('partNumber') ?? '';
    if (!/^\d{1,5}$/.test(partNumber) || Number(partNumber) < 1 || Number(partNumber) > 10_000)
      throw new ApiError(
        400,
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive',
      );
    const body = decodeBody(req, await readBody(req));
    const upload = this.upload(bucket, key, q.get('uploadId')!);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    upload.parts.set(Number(partNumber), { body, etag });
    res.writeHead(200, { etag }).end();
  }

  /** An upload in progress for this very bucket and key (S3 knows no upload by its id alone). */
  private upload(bucket: string, key: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key)
      throw new ApiError(
        404,
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      );
    return upload;
  }

  private async completeUpload(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    key: string,
    uploadId: string,
  ): Promise<void> {
    const body = await readBody(req);
    // From here to the store's put nothing awaits: two completions of one upload cannot both pass.
    const upload = this.upload(bucket, key, uploadId);
    let xml: string;
    try {
      xml = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw malformedXml();
    }
    const parts = selectParts(upload.parts, requestedParts(xml));
    const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
    const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
    const meta = this.store.put(
      bucket,
      key,
      Buffer.concat(parts.map((p) => p.body)),
      upload.contentType,
      upload.metadata,
      etag,
    );
    this.uploads.delete(uploadId);
    sendXml(
      res,
      200,
      `<CompleteMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
    );
    this.events.objectCreated(bucket, meta, 'CompleteMultipartUpload');
  }
}

/**
 * "bucket/key" (URL-encoded, optionally with a leading slash and ?versionId), as CopyObject takes
 * it, decoded as S3 decodes it: a `+` is a space, and what is not URL-encoded ASCII (a stray `%`,
 * a raw non-ASCII letter, which no HTTP header carries intact) is refused.
 */
export function parseCopySource(source: string): { bucket: string; key: string } {
  const invalid = new ApiError(400, 'InvalidArgument', 'Invalid copy source encoding');
  if (/[^\x20-\x7e]/.test(source)) throw invalid;
  let path: string;
  try {
    path = decodeURIComponent(source.split('?')[0]!.replace(/\+/g, ' ')).replace(/^\//, '');
  } catch {
    throw invalid;
  }
  const slash = path.indexOf('/');
  if (slash < 1)
    throw new ApiError(
      400,
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.',
    );
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/** Pipe a body to the client; a read error ends the response instead of the process. */
function sendStream(body: Readable, res: ServerResponse): void {
  pipeline(body, res, (err) => {
    if (err) res.destroy();
  });
}

function s3Error(res: ServerResponse, err: ApiError, resource: string): void {
  sendXml(
    res,
    err.status,
    `<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>local</RequestId></Error>`,
  );
}

function contentTypeOf(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'binary/octet-stream');
}

function userMetadata(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k]) => k.startsWith('x-amz-meta-'))
      .map(([k, v]) => [k.slice('x-amz-meta-'.length), String(v)]),
  );
}

/** Strip aws-chunked framing (chunk sizes, signatures, trailing checksums) from a body. */
function decodeBody(req: IncomingMessage, raw: Buffer): Buffer {
  const encoding = String(req.headers['content-encoding'] ?? '');
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!encoding.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return raw;
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw new ApiError(400, 'IncompleteBody', 'The aws-chunked body is truncated.');
    const size = parseInt(raw.toString('latin1', pos, eol).split(';')[0]!, 16);
    if (Number.isNaN(size)) throw new ApiError(400, 'InvalidRequest', 'The aws-chunked body is malformed.');
    if (size === 0) break; // trailers (checksums) follow; the content is complete
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
