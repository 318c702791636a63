/**
 * The data-lake bucket: encrypted, private, TLS-only, versioned, EventBridge on, with lifecycle rules.
 *
 * `cdk destroy` keeps it with its data. CloudFormation names it unless a fixed name is asked for,
 * so a redeploy never collides with the kept bucket; a fixed name is checked first by a custom
 * resource the bucket depends on, which fails the deploy with one sentence saying what to do when
 * the name is taken.
 */
import { Aws, type CfnResource, CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { handlerFunction } from './handler-function.ts';
import type { BucketCheckProperties } from '../custom-resources/bucket-check.ts';
import { PREFIXES } from '../../contract/lake.ts';
import { acknowledge, resourceFinding } from './nag.ts';

export interface DataLakeProps {
  /** A fixed bucket name; by default CloudFormation names the bucket. */
  readonly bucketName?: string;
  /** The bucket named bucketName exists and this deploy adopts it (--import-existing-resources). */
  readonly adoptBucket?: boolean;
  readonly archiveTransitionDays: number;
  readonly badDataExpirationDays: number;
}

export class DataLake extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(props.bucketName ? { bucketName: props.bucketName } : {}),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
      // Kept on delete and replacement; deleted (still empty) when the deploy that created it rolls
      // back, so a failed first deploy leaves no bucket behind to collide with the next one.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'archive-to-glacier-ir',
          prefix: PREFIXES.archive,
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.archiveTransitionDays),
            },
          ],
        },
        {
          id: 'expire-bad-data',
          prefix: PREFIXES.badData,
          expiration: Duration.days(props.badDataExpirationDays),
        },
        { id: 'expire-results', prefix: PREFIXES.results, expiration: Duration.days(365) },
        // The Glue job stages every load here for Redshift's COPY and leaves the files behind.
        { id: 'expire-staged-loads', prefix: `${PREFIXES.scripts}tmp/`, expiration: Duration.days(7) },
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    if (props.bucketName) this.checkName(props.bucketName, props.adoptBucket ?? false);
  }

  /** Before the bucket is created under a fixed name: is the name free (or, adopting, the bucket ours)? */
  private checkName(bucketName: string, adopt: boolean): void {
    const handler = handlerFunction(this, 'NameCheckHandler', {
      entry: new URL('../custom-resources/bucket-check.ts', import.meta.url),
      timeout: Duration.seconds(30),
    });
    // HeadBucket is authorized as s3:ListBucket. The ARN is written from the name: the bucket may not
    // exist yet, and referring to it would make it a dependency of its own check.
    handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}`],
      }),
    );
    const provider = new cr.Provider(this, 'NameCheckProvider', {
      onEventHandler: handler,
      logGroup: new logs.LogGroup(this, 'NameCheckProviderLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
    acknowledge(
      provider,
      "CDK's provider framework invokes its handler's versions (ARN:*).",
      resourceFinding(provider, `${handler.functionArn}:*`),
    );
    const properties: BucketCheckProperties = { BucketName: bucketName, Adopt: adopt ? 'true' : 'false' };
    const check = new CustomResource(this, 'NameCheck', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MoviesBucketNameCheck',
      properties: { ...properties },
    });
    (this.bucket.node.defaultChild as CfnResource).addResourceDependency(
      check.node.defaultChild as CfnResource,
    );
  }
}
