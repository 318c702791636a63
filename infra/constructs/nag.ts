/** Acknowledging cdk-nag findings: every acknowledgment names its findings and carries its reason. */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge rule findings on a construct (and what it contains). Granular rules such as
 * AwsSolutions-IAM5 need each finding named: `AwsSolutions-IAM5[Action::s3:GetObject*]`.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The findings CDK's grant methods produce for read/write access under bucket prefixes. */
export function s3GrantFindings(bucketLogicalId: string, prefixes: readonly string[]): string[] {
  return [
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
      (a) => `AwsSolutions-IAM5[Action::${a}]`,
    ),
    ...prefixes.map((p) => `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${p}*]`),
  ];
}

/** The synthesized logical id of a bucket, as cdk-nag prints it in findings. */
export function bucketLogicalId(bucket: s3.IBucket): string {
  return logicalIdOf(bucket);
}

/** The synthesized logical id of a construct's resource, as cdk-nag prints it in findings. */
export function logicalIdOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}
