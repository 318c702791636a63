/**
 * The archive phase: copy the input the run loaded to archive/<execution>/, then delete it. A
 * newer drop that has replaced the input since the run began is left for its own run.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../../contract/lake.ts';
import { hasString, STATES, type Failures, type Phase } from './shared.ts';

export function archivePhase(scope: Construct, failures: Failures, bucket: s3.IBucket): Phase {
  const { guard, recordFailure } = failures;
  const archiveKey = sfn.JsonPath.format(
    `${PREFIXES.archive}{}/{}`,
    sfn.JsonPath.executionName,
    sfn.JsonPath.stringAt('$.drop.key'),
  );
  const leaveNewerDrop = new sfn.Pass(scope, 'Leave the newer drop');
  const copyTask = new tasks.CallAwsService(scope, STATES.copyToArchive, {
    service: 's3',
    action: 'copyObject',
    parameters: {
      Bucket: sfn.JsonPath.stringAt('$.drop.bucket'),
      // URL-encoded, as S3 wants it: the ETL step encodes it, since no intrinsic can.
      CopySource: sfn.JsonPath.stringAt('$.results.value.copySource'),
      Key: archiveKey,
      // Only the object this run loaded: a newer drop under the same key is not archived as this one.
      CopySourceIfMatch: sfn.JsonPath.format('"{}"', sfn.JsonPath.stringAt('$.drop.etag')),
    },
    iamAction: 's3:PutObject',
    additionalIamStatements: [
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectTagging'],
        resources: [bucket.arnForObjects(`${PREFIXES.input}*`)],
      }),
    ],
    iamResources: [bucket.arnForObjects(`${PREFIXES.archive}*`)],
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
  });
  // S3 refuses the copy (412) when a newer drop has replaced the input since this run began: that
  // drop's own run archives it, so this one leaves the key alone rather than delete the newer data.
  const recordArchiveFailure = new sfn.Pass(scope, 'Record failure in archiving', {
    parameters: { state: STATES.copyToArchive, error: sfn.JsonPath.stringAt('$.error.Error') },
    resultPath: '$.failure',
  }).next(recordFailure);
  const inputReplaced = new sfn.Choice(scope, 'Input replaced by a newer drop?')
    .when(
      sfn.Condition.or(
        sfn.Condition.stringMatches('$.error.Cause', '*PreconditionFailed*'),
        sfn.Condition.stringMatches('$.error.Cause', '*Status Code: 412*'),
      ),
      leaveNewerDrop,
    )
    .otherwise(recordArchiveFailure);
  copyTask.addCatch(
    new sfn.Choice(scope, 'Archive refusal has a cause?')
      .when(hasString('$.error.Cause'), inputReplaced)
      .otherwise(recordArchiveFailure),
    { errors: ['S3.S3Exception'], resultPath: '$.error' },
  );
  const copy = guard(copyTask);
  const remove = guard(
    new tasks.CallAwsService(scope, STATES.deleteInput, {
      service: 's3',
      action: 'deleteObject',
      parameters: {
        Bucket: sfn.JsonPath.stringAt('$.drop.bucket'),
        Key: sfn.JsonPath.stringAt('$.drop.key'),
      },
      iamResources: [bucket.arnForObjects(`${PREFIXES.input}*`)],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    }),
  );
  const then = (next: sfn.IChainable): void => {
    leaveNewerDrop.next(next);
    copy.next(remove).next(next);
  };
  return { start: copy, then };
}
