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

/**
 * A resource (an ARN, tokens and all) as cdk-nag prints it in a finding: `<AWS::Region>` while the
 * stack is environment-agnostic, `eu-west-1` once the CDK CLI sets an account and region. Writing
 * findings by hand with placeholders breaks synthesis on every real deploy.
 */
export function resourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}

/** cdk-nag's flattening of a resolved value: `{Ref: X}` → `<X>`, GetAtt → `<X.Attr>`, `${X}` → `<X>`. */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (o.Ref) return `<${String(o.Ref)}>`;
  return JSON.stringify(node);
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
