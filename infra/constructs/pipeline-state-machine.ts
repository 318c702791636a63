/**
 * The pipeline as a Step Functions state machine (Standard, JSONPath — so the local twin can
 * run the very same definition): crawl the drop, crawl the warehouse table, run the ETL job,
 * read its results, gate on quality, refresh the views, archive the input, publish the
 * outcome. Every Task has a timeout, retries on throttling and transient errors, and a catch
 * that publishes the failure (state, error, cause) and fails the execution. Concurrent drops
 * queue for the Glue job (one run at a time) in its retries, and a view refresh Redshift aborts
 * for a serializable-isolation conflict is resubmitted with backoff.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PIPELINE_NAME, PREFIXES } from '../../contract/lake.ts';
import { acknowledge, bucketLogicalId } from './nag.ts';
import { archivePhase } from './state-machine/archive.ts';
import { crawlPhase } from './state-machine/crawl.ts';
import { etlPhase } from './state-machine/etl.ts';
import { gatePhase } from './state-machine/gate.ts';
import { publishPhase } from './state-machine/publish.ts';
import { refreshPhase } from './state-machine/refresh.ts';

export { STATES } from './state-machine/shared.ts';
export { POLL_SECONDS } from './state-machine/crawl.ts';
export { JOB_QUEUE_RETRY } from './state-machine/etl.ts';
export { REFRESH_CONFLICT, SERIALIZABLE_ISOLATION_ERRORS } from './state-machine/refresh.ts';

export interface PipelineStateMachineProps {
  readonly bucket: s3.IBucket;
  readonly inputCrawlerName: string;
  readonly warehouseCrawlerName: string;
  readonly jobName: string;
  readonly workgroupName: string;
  readonly workgroupArn: string;
  readonly database: string;
  /** The refresher's database user (it owns the views: only an owner may refresh one). */
  readonly secretArn: string;
  readonly successTopic: sns.ITopic;
  readonly failureTopic: sns.ITopic;
  readonly crawlerTimeout: Duration;
  readonly etlTimeout: Duration;
}

export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { bucket } = props;

    // The definition lists its states in the order they were linked (and each phase's guarded
    // tasks in the order they were built): keep both orders, and the template stays the same.
    const publish = publishPhase(this, props);
    const { failures } = publish;
    const crawl = crawlPhase(this, failures, props);
    const etl = etlPhase(this, failures, props);
    const refresh = refreshPhase(this, failures, props);
    const gate = gatePhase(this, failures, { passed: refresh.start, failed: publish.quality });
    const archive = archivePhase(this, failures, bucket);
    crawl.then(etl.start);
    etl.then(gate);
    refresh.then(archive.start);
    archive.then(publish.success);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: PIPELINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(crawl.start),
      timeout: Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // Glue's .sync integration polls the job run.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
        resources: [stack.formatArn({ service: 'glue', resource: 'job', resourceName: props.jobName })],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.secretArn] }),
    );
    const lake = bucketLogicalId(bucket);
    acknowledge(
      this.stateMachine,
      'S3 access is scoped to the pipeline prefixes; redshift-data:DescribeStatement, X-Ray and log delivery have no resource-level permissions.',
      'AwsSolutions-IAM5[Resource::*]',
      ...[PREFIXES.input, PREFIXES.results, PREFIXES.archive].map(
        (p) => `AwsSolutions-IAM5[Resource::<${lake}.Arn>/${p}*]`,
      ),
    );
  }
}
