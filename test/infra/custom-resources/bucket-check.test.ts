import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../../local-aws/twin.ts';
import {
  bucketState,
  handler,
  verdict,
  type BucketCheckEvent,
  type BucketCheckProperties,
} from '../../../infra/custom-resources/bucket-check.ts';
import { clients, type Clients } from '../../local-aws/twin-client.ts';

let dir: string;
let twin: Twin;
let c: Clients;
const saved = { ...process.env };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'movies-bucket-check-'));
  twin = await startTwin({ dataDir: dir, port: 0 });
  c = clients(twin.endpoint, twin.region);
  // The handler makes its client from the environment, as on Lambda.
  Object.assign(process.env, twin.env);
  await c.s3.send(new CreateBucketCommand({ Bucket: 'kept-by-destroy' }));
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const props = (BucketName: string, adopt = false): BucketCheckProperties => ({
  BucketName,
  Adopt: adopt ? 'true' : 'false',
});
const create = (name: string, adopt = false): BucketCheckEvent => ({
  RequestType: 'Create',
  ResourceProperties: props(name, adopt),
});

/** What CloudFormation would show: the provider framework sends the error's stack. */
async function failure(event: BucketCheckEvent): Promise<{ message: string; stack: string | undefined }> {
  const err = await handler(event).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!err) throw new Error('the check passed');
  return { message: err.message, stack: err.stack };
}

const taken =
  'The S3 bucket kept-by-destroy already exists in this account (a cdk destroy keeps the data lake with its data): ' +
  'adopt it with "cdk deploy --import-existing-resources -c bucketName=kept-by-destroy -c adoptBucket=true", ' +
  'or deploy with another bucketName (or none, and CloudFormation names a new bucket).';

describe('the bucket-name check, against the twin’s S3', () => {
  it('lets the deploy create a bucket whose name is free', async () => {
    await expect(handler(create('movies-lake-new'))).resolves.toEqual({
      PhysicalResourceId: 'movies-lake-new',
    });
  });

  it('fails the deploy with one sentence, and no stack frames, when the bucket already exists', async () => {
    expect(await failure(create('kept-by-destroy'))).toEqual({ message: taken, stack: taken });
  });

  it('lets the deploy that adopts the bucket go on, and stops one that would adopt nothing', async () => {
    await expect(handler(create('kept-by-destroy', true))).resolves.toEqual({
      PhysicalResourceId: 'kept-by-destroy',
    });
    expect((await failure(create('movies-lake-typo', true))).stack).toBe(
      'There is no S3 bucket movies-lake-typo to adopt: check bucketName, or deploy without adoptBucket to create it.',
    );
  });

  it('passes updates that keep the stack’s own bucket, and checks a new name', async () => {
    const update = (from: string, to: string, adopt = false): BucketCheckEvent => ({
      RequestType: 'Update',
      PhysicalResourceId: from,
      ResourceProperties: props(to, adopt),
      OldResourceProperties: props(from, !adopt),
    });
    // The bucket is this stack's once deployed: a later deploy (adoptBucket dropped) is no collision.
    await expect(handler(update('kept-by-destroy', 'kept-by-destroy'))).resolves.toEqual({
      PhysicalResourceId: 'kept-by-destroy',
    });
    // A new name replaces the bucket: that name must be free.
    expect((await failure(update('movies-lake-new', 'kept-by-destroy'))).message).toBe(taken);
    await expect(
      handler({
        RequestType: 'Delete',
        PhysicalResourceId: 'kept-by-destroy',
        ResourceProperties: props('x'),
      }),
    ).resolves.toEqual({ PhysicalResourceId: 'kept-by-destroy' });
  });
});

describe('a name taken elsewhere', () => {
  // Answers HeadBucket as S3 does for a bucket of another region or another account.
  let server: Server;
  let s3: S3Client;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/in-london')) res.writeHead(301, { 'x-amz-bucket-region': 'eu-west-2' }).end();
      else if (req.url?.startsWith('/not-yours')) res.writeHead(403).end();
      else res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('says the bucket cannot be adopted from another region or another account', async () => {
    const say = async (name: string): Promise<string | undefined> =>
      verdict(name, await bucketState(s3, name), false);
    expect(await say('in-london')).toBe(
      'The S3 bucket in-london already exists in eu-west-2 and cannot be adopted here: ' +
        'deploy with another bucketName (or none, and CloudFormation names a new bucket), or deploy to that region.',
    );
    expect(await say('not-yours')).toBe(
      "The S3 bucket name not-yours is taken by a bucket this account may not read, most likely another account's: " +
        'deploy with another bucketName (or none, and CloudFormation names a new bucket).',
    );
    expect(verdict('not-yours', await bucketState(s3, 'not-yours'), true)).toMatch(
      /^The S3 bucket name not-yours is taken/,
    );
    // Anything else is no answer: the deploy fails saying so, rather than guessing.
    await expect(bucketState(s3, 'broken')).rejects.toThrow(
      /^Could not check whether the S3 bucket broken exists \(HTTP 500 .*\)\.$/,
    );
  });
});
