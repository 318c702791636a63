/**
 * The data-lake bucket: encrypted, private, TLS-only, versioned, EventBridge on, with lifecycle rules.
 *
 * `cdk destroy` keeps it with its data. CloudFormation names it unless a fixed name is asked for,
 * so a redeploy never collides with the kept bucket.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PREFIXES } from '../config.ts';

export interface DataLakeProps {
  /** A fixed bucket name; by default CloudFormation names the bucket. */
  readonly bucketName?: string;
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
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}
