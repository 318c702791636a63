/** The whole AWS side of the pipeline: the stack only wires the constructs together. */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineConfig } from '../config.ts';
import { DataLake } from '../constructs/data-lake.ts';
import { GitHubAccess } from '../constructs/github-access.ts';
import { GlueEtl } from '../constructs/glue-etl.ts';
import { Network, warehouseZones } from '../constructs/network.ts';
import { Notifications } from '../constructs/notifications.ts';
import { PipelineStateMachine } from '../constructs/pipeline-state-machine.ts';
import { PIPELINE_NAME } from '../../contract/lake.ts';
import { DropTrigger } from '../constructs/trigger.ts';
import { Warehouse } from '../constructs/warehouse.ts';
import { Bot } from '../constructs/bot.ts';
import { acknowledge, bucketLogicalId } from '../constructs/nag.ts';
import { dropImpliedDependsOn } from './template-tidy.ts';

export interface PipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
}

export class PipelineStack extends Stack {
  readonly lake: DataLake;
  readonly notifications: Notifications;
  readonly pipeline: PipelineStateMachine;
  readonly warehouse: Warehouse;
  readonly github: GitHubAccess;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.lake = new DataLake(this, 'DataLake', config);
    this.notifications = new Notifications(this, 'Notifications', { alertEmails: config.alertEmails });
    const network = new Network(this, 'Network');
    this.warehouse = new Warehouse(this, 'Warehouse', {
      vpc: network.vpc,
      s3: network.s3,
      database: config.redshiftDatabase,
      adminUser: config.redshiftAdminUser,
      baseCapacity: config.redshiftBaseCapacity,
    });
    const glue = new GlueEtl(this, 'Glue', {
      bucket: this.lake.bucket,
      warehouse: this.warehouse,
      subnet: network.glueSubnet,
      securityGroup: network.glueSecurityGroup,
      workerType: config.glueWorkerType,
      workers: config.glueWorkers,
      timeout: Duration.minutes(config.etlTimeoutMinutes),
    });
    this.pipeline = new PipelineStateMachine(this, 'Pipeline', {
      bucket: this.lake.bucket,
      inputCrawlerName: glue.inputCrawlerName,
      warehouseCrawlerName: glue.warehouseCrawlerName,
      jobName: glue.jobName,
      workgroupName: this.warehouse.workgroupName,
      workgroupArn: this.warehouse.workgroupArn,
      database: this.warehouse.database,
      secretArn: this.warehouse.refresherSecret.secretArn,
      successTopic: this.notifications.success,
      failureTopic: this.notifications.failure,
      crawlerTimeout: Duration.minutes(config.crawlerTimeoutMinutes),
      etlTimeout: Duration.minutes(config.etlTimeoutMinutes),
    });
    this.warehouse.refresherSecret.grantRead(this.pipeline.stateMachine);
    // The topics are encrypted with a customer key: publishing needs the key as well as sns:Publish.
    for (const topic of [this.notifications.success, this.notifications.failure])
      topic.grantPublish(this.pipeline.stateMachine);
    acknowledge(
      this.pipeline.stateMachine,
      "kms:GenerateDataKey* is CDK's grant for publishing to a topic under a customer key, on that key only.",
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    );
    new DropTrigger(this, 'Trigger', { bucket: this.lake.bucket, stateMachine: this.pipeline.stateMachine });
    this.github = new GitHubAccess(this, 'GitHub', {
      repository: config.githubRepository,
      branch: config.githubBranch,
      ...(config.githubOidcProviderArn ? { providerArn: config.githubOidcProviderArn } : {}),
      bucketArn: this.lake.bucket.bucketArn,
      bucketLogicalId: bucketLogicalId(this.lake.bucket),
      stateMachineArn: this.pipeline.stateMachine.stateMachineArn,
      stateMachineName: PIPELINE_NAME,
    });

    const bot = new Bot(this, 'Bot', {
      successTopic: this.notifications.success,
      failureTopic: this.notifications.failure,
      workgroupName: this.warehouse.workgroupName,
      workgroupArn: this.warehouse.workgroupArn,
      database: this.warehouse.database,
      warehouseSecret: this.warehouse.botSecret,
      stateMachineArn: this.pipeline.stateMachine.stateMachineArn,
      stateMachineName: PIPELINE_NAME,
      alertChannel: config.slackAlertChannel,
      dataChannel: config.slackDataChannel,
      bucket: this.lake.bucket,
    });

    const out = (name: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, name, { value, description });
    out('BucketName', this.lake.bucket.bucketName, 'Action input "bucket"');
    out(
      'StateMachineArn',
      this.pipeline.stateMachine.stateMachineArn,
      'Action input "state-machine-arn"; bot MOVIES_STATE_MACHINE_ARN',
    );
    out(
      'GitHubDropRoleArn',
      this.github.dropRole.roleArn,
      'role-to-assume for aws-actions/configure-aws-credentials on pushes',
    );
    out(
      'GitHubReadRoleArn',
      this.github.readRole.roleArn,
      'role-to-assume on pull requests (read executions only)',
    );
    out('SuccessTopicArn', this.notifications.success.topicArn, 'SNS topic of successful runs');
    out('FailureTopicArn', this.notifications.failure.topicArn, 'SNS topic of failed runs');
    out('RedshiftWorkgroup', this.warehouse.workgroupName, 'bot MOVIES_REDSHIFT_WORKGROUP');
    out('RedshiftDatabase', this.warehouse.database, 'bot MOVIES_REDSHIFT_DATABASE');
    out(
      'RedshiftBotSecretArn',
      this.warehouse.botSecret.secretArn,
      "bot MOVIES_REDSHIFT_SECRET_ARN (the bot's database user, SELECT on the views only)",
    );
    out('BotUrl', bot.url.url, 'Slack app: the Request URL for /movies (append slack/events)');
    out('SlackSecretArn', bot.slackSecret.secretArn, 'write {"signingSecret": ..., "botToken": ...} here');
  }

  /** The warehouse's zones by index, so that no synthesis waits on a lookup with credentials. */
  override get availabilityZones(): string[] {
    return warehouseZones(this);
  }

  protected override _toCloudFormation(): unknown {
    return dropImpliedDependsOn(super._toCloudFormation() as Parameters<typeof dropImpliedDependsOn>[0]);
  }
}
