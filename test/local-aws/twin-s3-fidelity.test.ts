import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { ListExecutionsCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, type Clients } from './twin-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-s3-fidelity-'));
/** Where the twin keeps the ETL's work files, and what a run killed mid-load left there. */
const work = join(dir, 'tmp');
const leftover = join(work, 'movies-etl-killed');
const unrelated = join(work, 'notes.txt');
/** A bucket no EventBridge rule watches, for what must not start runs of its own. */
const SIDE = 'fidelity-side';

let twin: Twin;
let c: Clients;

beforeAll(async () => {
  mkdirSync(leftover, { recursive: true });
  writeFileSync(join(leftover, 'good.csv'), 'movie_id,title\n'.repeat(1000));
  writeFileSync(unrelated, 'not the ETL');
  twin = await startTwin({ dataDir: dir, port: 0 });
  c = clients(twin.endpoint, twin.region);
  await c.s3.send(new CreateBucketCommand({ Bucket: SIDE }));
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A request exactly as written: no URL parsing, so no dot segment is resolved on the way. */
function raw(
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(twin.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What the SDK raised for a refused request: its class, name and status. */
async function refusal(p: Promise<unknown>): Promise<{ name: string; status?: number; s3: boolean }> {
  const err = await p.then(
    () => {
      throw new Error('the request was accepted');
    },
    (e: unknown) => e as S3ServiceException,
  );
  return { name: err.name, status: err.$metadata?.httpStatusCode, s3: err instanceof S3ServiceException };
}

/** The keys of the executions started so far. */
async function runKeys(): Promise<string[]> {
  const list = await c.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: twin.stateMachineArn, maxResults: 1000 }),
  );
  return Promise.all(
    (list.executions ?? []).map(async (e) => {
      const d = await c.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      return String(
        (JSON.parse(d.input ?? '{}') as { detail: { object: { key: string } } }).detail.object.key,
      );
    }),
  );
}

const exists = (bucket: string, key: string): Promise<boolean> =>
  c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    (e: Error) => (e.name === 'NotFound' ? false : Promise.reject(e)),
  );

/** A multipart upload of the pipeline's bucket with two uploaded parts. */
async function twoParts(key: string): Promise<{ uploadId: string; parts: CompletedPart[] }> {
  const { UploadId } = await c.s3.send(
    new CreateMultipartUploadCommand({ Bucket: twin.bucket, Key: key, ContentType: 'text/csv' }),
  );
  const parts: CompletedPart[] = [];
  for (const [i, body] of ['movie_id,title\n', 'a,b\n'].entries()) {
    const { ETag } = await c.s3.send(
      new UploadPartCommand({ Bucket: twin.bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }),
    );
    parts.push({ PartNumber: i + 1, ETag });
  }
  return { uploadId: UploadId!, parts };
}

describe('CompleteMultipartUpload, as S3 checks it', () => {
  it.each([
    ['not XML at all', 'this is not xml'],
    ['an empty body', ''],
    ['truncated XML', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>'],
    ['no parts', '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'],
    [
      'a part without its ETag',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
    ],
    [
      'an element S3 does not know',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><Size>3</Size></Part></CompleteMultipartUpload>',
    ],
    ['a DTD', '<!DOCTYPE x [<!ENTITY e "1">]><CompleteMultipartUpload/>'],
  ])('%s: 400 MalformedXML, no object, no run', async (what, body) => {
    const key = `input_data/fidelity/malformed-${what.replace(/ /g, '-')}.csv`;
    const { uploadId } = await twoParts(key);
    const r = await raw('POST', `/${twin.bucket}/${key}?uploadId=${uploadId}`, body, {
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>MalformedXML</Code>');
    expect(await exists(twin.bucket, key)).toBe(false);
    expect(await runKeys()).not.toContain(key);
  });

  it.each([
    ['a repeated part number', 'InvalidPartOrder', (p: CompletedPart[]) => [p[0]!, p[0]!, p[1]!]],
    ['parts out of order', 'InvalidPartOrder', (p: CompletedPart[]) => [p[1]!, p[0]!]],
    ['a part never uploaded', 'InvalidPart', (p: CompletedPart[]) => [p[0]!, { ...p[1]!, PartNumber: 3 }]],
    ['a wrong ETag', 'InvalidPart', (p: CompletedPart[]) => [p[0]!, { ...p[1]!, ETag: p[0]!.ETag }]],
  ])('%s: the SDK raises %s (400); no object, no run', async (what, code, choose) => {
    const key = `input_data/fidelity/${what.replace(/ /g, '-')}.csv`;
    const { uploadId, parts } = await twoParts(key);
    const complete = new CompleteMultipartUploadCommand({
      Bucket: twin.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: choose(parts) },
    });
    expect(await refusal(c.s3.send(complete))).toEqual({ name: code, status: 400, s3: true });
    expect(await exists(twin.bucket, key)).toBe(false);
    expect(await runKeys()).not.toContain(key);
  });

  it('the parts as uploaded, in order, quoted or not: the object, then its run', async () => {
    const key = 'input_data/fidelity/complete.csv';
    const { uploadId, parts } = await twoParts(key);
    await c.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: twin.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: [parts[0]!, { ...parts[1]!, ETag: parts[1]!.ETag!.replace(/"/g, '') }] },
      }),
    );
    const got = await c.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: key }));
    expect(await got.Body!.transformToString()).toBe('movie_id,title\na,b\n');
    expect(await runKeys()).toContain(key);
  });

  it('an upload id is only good for its own key', async () => {
    const { uploadId, parts } = await twoParts('input_data/fidelity/own.csv');
    const elsewhere = new CompleteMultipartUploadCommand({
      Bucket: twin.bucket,
      Key: 'input_data/fidelity/other.csv',
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    });
    expect(await refusal(c.s3.send(elsewhere))).toEqual({ name: 'NoSuchUpload', status: 404, s3: true });
  });

  it('a part number outside 1..10000 is refused at UploadPart', async () => {
    const key = 'input_data/fidelity/part-number.csv';
    const { uploadId } = await twoParts(key);
    const r = await raw('PUT', `/${twin.bucket}/${key}?partNumber=0&uploadId=${uploadId}`, 'x');
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>InvalidArgument</Code>');
  });
});

describe('keys are literal', () => {
  it('input_data/../bad_data/x is stored, read and listed under exactly that key', async () => {
    const key = 'input_data/../bad_data/x';
    await c.s3.send(new PutObjectCommand({ Bucket: SIDE, Key: key, Body: 'dots' }));
    const got = await c.s3.send(new GetObjectCommand({ Bucket: SIDE, Key: key }));
    expect(await got.Body!.transformToString()).toBe('dots');
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: SIDE }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    expect(await exists(SIDE, 'bad_data/x')).toBe(false);
  });

  it('in the pipeline bucket, a drop under input_data/../bad_data/ lands in no quarantine', async () => {
    const key = 'input_data/../bad_data/planted.csv';
    await c.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key: key, Body: 'planted' }));
    expect(await exists(twin.bucket, 'bad_data/planted.csv')).toBe(false);
    // EventBridge saw the key as written: under input_data/, so the pipeline checks it.
    expect(await runKeys()).toContain(key);
  });

  it('percent-encoded dots are decoded once into the key, never resolved', async () => {
    const r = await raw('PUT', `/${SIDE}/a/%2e%2e/b`, 'encoded');
    expect(r.status).toBe(200);
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: SIDE, Prefix: 'a/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/../b']);
  });

  it('/%2e%2e/x creates no bucket (the bucket is "..", which cannot exist)', async () => {
    const put = await raw('PUT', '/%2e%2e/x', 'x');
    expect(put.status).toBe(404);
    expect(put.body).toContain('<Code>NoSuchBucket</Code>');
    const create = await raw('PUT', '/%2e%2e');
    expect(create.status).toBe(400);
    expect(create.body).toContain('<Code>InvalidBucketName</Code>');
    const { Buckets } = await c.s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name).sort()).toEqual([SIDE, twin.bucket].sort());
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a path that is not percent-encoded UTF-8: 400 InvalidURI', async () => {
    const r = await raw('PUT', `/${SIDE}/bad%zzkey`, 'x');
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>InvalidURI</Code>');
  });
});

describe('a key is at most 1,024 bytes of UTF-8', () => {
  const ascii = (bytes: number): string => 'input_data/'.padEnd(bytes, 'k');
  // '€' is three bytes: 1,023 of them, then one or two ASCII letters.
  const euro = (extra: string): string => `${'€'.repeat(341)}${extra}`;

  it.each([
    ['1,024 ASCII bytes', ascii(1024)],
    ['1,024 bytes, mostly three-byte letters', euro('a')],
  ])('%s: accepted', async (_, key) => {
    await c.s3.send(new PutObjectCommand({ Bucket: SIDE, Key: key, Body: 'ok' }));
    expect(await exists(SIDE, key)).toBe(true);
  });

  it.each([
    ['1,025 ASCII bytes', ascii(1025)],
    ['1,025 bytes in 343 letters', euro('ab')],
    ['2,000 characters', ascii(2000)],
  ])('%s: PutObject, CreateMultipartUpload and CopyObject raise KeyTooLongError (400)', async (_, key) => {
    const tooLong = { name: 'KeyTooLongError', status: 400, s3: true };
    expect(
      await refusal(c.s3.send(new PutObjectCommand({ Bucket: twin.bucket, Key: key, Body: 'x' }))),
    ).toEqual(tooLong);
    expect(
      await refusal(c.s3.send(new CreateMultipartUploadCommand({ Bucket: twin.bucket, Key: key }))),
    ).toEqual(tooLong);
    await c.s3.send(new PutObjectCommand({ Bucket: SIDE, Key: 'source', Body: 'x' }));
    const copy = new CopyObjectCommand({ Bucket: twin.bucket, Key: key, CopySource: `${SIDE}/source` });
    expect(await refusal(c.s3.send(copy))).toEqual(tooLong);
    expect(await runKeys()).not.toContain(key);
  });
});

describe('malformed input to the JSON APIs: 400 SerializationException, not a retried 500', () => {
  it.each([
    ['Step Functions', 'AWSStepFunctions.ListExecutions', 'application/x-amz-json-1.0'],
    ['Redshift Data', 'RedshiftData.ExecuteStatement', 'application/x-amz-json-1.1'],
    ['SNS over JSON', 'AmazonSimpleNotificationService.ListTopics', 'application/x-amz-json-1.0'],
  ])('%s', async (_, target, contentType) => {
    for (const body of ['{"stateMachineArn": ', 'not json', '[]', 'null', '"text"']) {
      const r = await fetch(twin.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': contentType },
        body,
      });
      expect({ body, status: r.status, type: r.headers.get('x-amzn-errortype') }).toEqual({
        body,
        status: 400,
        type: 'SerializationException',
      });
      expect(((await r.json()) as { __type: string }).__type).toBe('SerializationException');
    }
  });
});

describe('routing', () => {
  it('a JSON request for a service the twin does not run is answered in JSON, not by S3', async () => {
    const r = await fetch(twin.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { __type: string }).__type).toBe('UnknownService');
  });
});

describe('the ETL work files of a killed twin', () => {
  it('are removed at the next start; nothing else in the directory is touched', () => {
    expect(existsSync(leftover)).toBe(false);
    expect(readFileSync(unrelated, 'utf8')).toBe('not the ETL');
  });
});
