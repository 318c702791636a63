/**
 * GitHub Actions OIDC: a role that only the configured repository can assume — pushes to the
 * configured branch may upload drops; pull requests may only read execution state — allowed
 * exactly s3:PutObject and s3:AbortMultipartUpload on input_data/* (what lib-storage's Upload
 * sends) and List/Describe/GetExecutionHistory on the pipeline.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PREFIXES } from '../../contract/lake.ts';
import { acknowledge, resourceFinding } from './nag.ts';

export interface GitHubAccessProps {
  readonly repository: string;
  readonly branch: string;
  readonly providerArn?: string;
  readonly bucketArn: string;
  /** For naming the upload finding cdk-nag reports on the drop role. */
  readonly bucketLogicalId: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
}

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export class GitHubAccess extends Construct {
  /** Pushes to the configured branch: upload drops and follow the executions they start. */
  readonly dropRole: iam.Role;
  /** Pull requests: follow executions only (validation itself needs no AWS access). */
  readonly readRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubAccessProps) {
    super(scope, id);
    const provider = props.providerArn
      ? iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, 'Provider', props.providerArn)
      : new iam.OpenIdConnectProvider(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });
    // A role's own policy cannot see the token's claims, so who may write is decided by which role they can assume.
    const role = (name: string, subject: string, description: string): iam.Role =>
      new iam.Role(this, name, {
        description,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        }),
      });
    this.dropRole = role(
      'DropRole',
      `repo:${props.repository}:ref:refs/heads/${props.branch}`,
      `movies-gds: drops from ${props.repository}@${props.branch}`,
    );
    this.readRole = role(
      'ReadRole',
      `repo:${props.repository}:pull_request`,
      `movies-gds: pull requests of ${props.repository}`,
    );
    this.dropRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadDrops',
        // PutObject covers single and multipart uploads; a failed multipart upload is aborted.
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [`${props.bucketArn}/${PREFIXES.input}*`],
      }),
    );
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    for (const r of [this.dropRole, this.readRole])
      r.addToPolicy(
        new iam.PolicyStatement({
          sid: 'FollowPipelineExecutions',
          actions: ['states:ListExecutions', 'states:DescribeExecution', 'states:GetExecutionHistory'],
          resources: [props.stateMachineArn, executions],
        }),
      );
    acknowledge(
      this,
      'EventBridge names executions at random: they can only be named by their state machine.',
      resourceFinding(this, executions),
    );
    acknowledge(
      this.dropRole,
      'Uploads are limited to the input_data/ prefix.',
      `AwsSolutions-IAM5[Resource::<${props.bucketLogicalId}.Arn>/${PREFIXES.input}*]`,
    );
  }
}
