/**
 * Before CloudFormation creates the data-lake bucket under a fixed name (context `bucketName`),
 * a custom resource the bucket depends on asks S3 whether the name is free (CDK's Provider
 * framework, onEvent only). When it is not, most often because `cdk destroy` kept the bucket
 * with its data, the deploy fails with one sentence saying what to do, not CloudFormation's
 * "already exists".
 *
 * HeadBucket needs s3:ListBucket on the one bucket and nothing else: 404 means the name is free,
 * 200 that the bucket is this account's, 301 (with its region) that it lives in another region,
 * 403 that this account may not read it, so another account owns the name.
 */
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface BucketCheckProperties {
  readonly BucketName: string;
  /** "true" on the deploy that adopts the bucket (`cdk deploy --import-existing-resources`). */
  readonly Adopt?: 'true' | 'false';
}

export interface BucketCheckEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: BucketCheckProperties;
  readonly OldResourceProperties?: BucketCheckProperties;
}

/** Where a bucket name stands, as HeadBucket tells it. */
export type BucketState =
  | { readonly state: 'free' }
  | { readonly state: 'ours' }
  | { readonly state: 'other-region'; readonly region?: string }
  | { readonly state: 'other-account' };

let s3: S3Client | undefined;

export async function handler(event: BucketCheckEvent): Promise<{ PhysicalResourceId: string }> {
  const { BucketName: name, Adopt } = event.ResourceProperties;
  // A delete checks nothing; an update that keeps the name is this stack's own bucket.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? name };
  if (event.RequestType === 'Update' && event.OldResourceProperties?.BucketName === name)
    return { PhysicalResourceId: name };
  s3 ??= new S3Client({});
  const problem = verdict(name, await bucketState(s3, name), Adopt === 'true');
  if (problem) {
    const error = new Error(problem);
    // CloudFormation shows what the provider framework sends, stack included: the sentence alone.
    error.stack = error.message;
    throw error;
  }
  return { PhysicalResourceId: name };
}

export async function bucketState(client: S3Client, name: string): Promise<BucketState> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: name }));
    return { state: 'ours' };
  } catch (err) {
    const { $metadata, $response } = err as {
      $metadata?: { httpStatusCode?: number };
      $response?: { headers?: Record<string, string> };
    };
    const status = $metadata?.httpStatusCode;
    const region = $response?.headers?.['x-amz-bucket-region'];
    if (status === 404) return { state: 'free' };
    if (status === 403) return { state: 'other-account' };
    // A bucket in another region: 301 from a regional endpoint, 400 when the signing region is wrong.
    if (status === 301 || (status === 400 && region))
      return { state: 'other-region', ...(region ? { region } : {}) };
    const reason = [status && `HTTP ${status}`, (err as Error).message].filter(Boolean).join(' ');
    const error = new Error(`Could not check whether the S3 bucket ${name} exists (${reason}).`);
    error.stack = error.message;
    throw error;
  }
}

/** What the deploy must say, in one sentence; undefined when it may go on. */
export function verdict(name: string, found: BucketState, adopt: boolean): string | undefined {
  const another = 'deploy with another bucketName (or none, and CloudFormation names a new bucket)';
  switch (found.state) {
    case 'free':
      return adopt
        ? `There is no S3 bucket ${name} to adopt: check bucketName, or deploy without adoptBucket to create it.`
        : undefined;
    case 'ours':
      return adopt
        ? undefined
        : `The S3 bucket ${name} already exists in this account (a cdk destroy keeps the data lake with its data): ` +
            `adopt it with "cdk deploy --import-existing-resources -c bucketName=${name} -c adoptBucket=true", or ${another}.`;
    case 'other-region':
      return (
        `The S3 bucket ${name} already exists in ${found.region ?? 'another region'} and cannot be adopted here: ` +
        `${another}, or deploy to that region.`
      );
    case 'other-account':
      return `The S3 bucket name ${name} is taken by a bucket this account may not read, most likely another account's: ${another}.`;
  }
}
