/**
 * The Slack bot on Lambda (current Node.js runtime): reached by Slack over a Function URL (Slack's
 * request signatures are what authenticate it), subscribed to both outcome topics, its Slack
 * secrets in Secrets Manager, and IAM limited to the Redshift Data API on the workgroup and
 * read-only Step Functions on the pipeline.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PREFIXES } from '../../contract/lake.ts';
import { BUNDLING } from './handler-function.ts';
import { acknowledge, bucketLogicalId, resourceFinding } from './nag.ts';

export interface BotProps {
  readonly successTopic: sns.ITopic;
  readonly failureTopic: sns.ITopic;
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly database: string;
  /** The bot's database user (SELECT on the three views only), not the admin. */
  readonly warehouseSecret: secrets.ISecret;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly alertChannel: string;
  readonly dataChannel: string;
  /** The data lake: the "Show failed rows" button reads bad_data/ from it. */
  readonly bucket: s3.IBucket;
}

export const BOT_FUNCTION_NAME = 'movies-bot';

/** The files the bot reads at run time beside its bundle: the bot's own list, read as data (the CDK app imports no bot code). */
const LAMBDA_ASSETS = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../bot/lambda-assets.json', import.meta.url)), 'utf8'),
) as readonly { file: string; module: string }[];

export class Bot extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly url: lambda.FunctionUrl;
  /** Holds {"signingSecret": "...", "botToken": "xoxb-..."}; set it after the first deploy. */
  readonly slackSecret: secrets.Secret;

  constructor(scope: Construct, id: string, props: BotProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.slackSecret = new secrets.Secret(this, 'SlackSecret', {
      description: 'movies-gds Slack app: {"signingSecret": "...", "botToken": "xoxb-..."}',
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: BOT_FUNCTION_NAME,
      entry: fileURLToPath(new URL('../../bot/lambda.ts', import.meta.url)),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024, // the trends chart renders in about a second at this size
      timeout: Duration.seconds(60),
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS }),
      environment: {
        SLACK_SECRET_ARN: this.slackSecret.secretArn,
        MOVIES_ALERT_CHANNEL: props.alertChannel,
        MOVIES_DATA_CHANNEL: props.dataChannel,
        MOVIES_REDSHIFT_WORKGROUP: props.workgroupName,
        MOVIES_REDSHIFT_DATABASE: props.database,
        MOVIES_REDSHIFT_SECRET_ARN: props.warehouseSecret.secretArn,
        MOVIES_STATE_MACHINE_ARN: props.stateMachineArn,
        MOVIES_TOPIC_ARNS: [props.successTopic.topicArn, props.failureTopic.topicArn].join(','),
        MOVIES_BUCKET: props.bucket.bucketName,
      },
      bundling: {
        ...BUNDLING,
        // Bundled CommonJS dependencies call require() for Node built-ins.
        banner:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        // The trends chart reads its rasterizer (WASM) and font at run time, next to the bundle.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            LAMBDA_ASSETS.map((a) => `cp "${inputDir}/node_modules/${a.module}" "${outputDir}/${a.file}"`),
        },
      },
    });
    // Slack authenticates with its request signatures, which the bot verifies; IAM auth is not an option for Slack.
    this.url = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    props.successTopic.addSubscription(new subs.LambdaSubscription(this.function));
    props.failureTopic.addSubscription(new subs.LambdaSubscription(this.function));

    const role = this.function.role!;
    this.slackSecret.grantRead(role);
    props.warehouseSecret.grantRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadQuarantinedRows',
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${PREFIXES.badData}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryTheWarehouse',
        actions: ['redshift-data:ExecuteStatement'],
        resources: [props.workgroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowOwnStatements',
        // A query past its deadline is cancelled rather than left running on the warehouse.
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadPipelineRuns',
        actions: ['states:ListExecutions'],
        resources: [props.stateMachineArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadPipelineRunDetails',
        actions: ['states:DescribeExecution'],
        resources: [executions],
      }),
    );
    // The second invocation that answers /movies (named, not referenced, to avoid a dependency cycle).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AnswerInASecondInvocation',
        actions: ['lambda:InvokeFunction'],
        resources: [
          stack.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: BOT_FUNCTION_NAME,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledge(
      role,
      "redshift-data statement reads have no resource-level permissions (limited to the caller's own statements); executions are named at random, so they are named by their state machine.",
      'AwsSolutions-IAM5[Resource::*]',
      resourceFinding(role, executions),
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId(props.bucket)}.Arn>/${PREFIXES.badData}*]`,
    );
    acknowledge(
      role,
      'The function logs with AWSLambdaBasicExecutionRole.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
    acknowledge(
      this.slackSecret,
      'Slack credentials are rotated in Slack, then written here; there is no rotation Lambda for them.',
      'AwsSolutions-SMG4',
    );
  }
}
