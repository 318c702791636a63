/**
 * The ETL phase: the Glue job checks the drop against the contract and the ruleset, quarantines
 * what fails, loads the rest and writes results/<execution>.json, which the next state reads.
 */
import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../../contract/lake.ts';
import { STATES, type Failures, type Phase } from './shared.ts';

/**
 * How a run asks again for the Glue job while another drop's run holds it (the job runs one at
 * a time): full jitter, the ceiling doubling from the interval up to maxDelay. The arithmetic
 * is at the retrier, in etlPhase.
 */
export const JOB_QUEUE_RETRY = {
  intervalSeconds: 30,
  backoffRate: 2,
  maxDelaySeconds: 180,
  maxAttempts: 80,
} as const;

export interface EtlProps {
  readonly bucket: s3.IBucket;
  readonly jobName: string;
  readonly etlTimeout: Duration;
}

export function etlPhase(scope: Construct, failures: Failures, props: EtlProps): Phase {
  const { guard } = failures;
  const resultsKey = sfn.JsonPath.format(`${PREFIXES.results}{}.json`, sfn.JsonPath.executionName);
  const etl = guard(
    new GlueJobTask(scope, STATES.runEtl, {
      glueJobName: props.jobName,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      arguments: sfn.TaskInput.fromObject({
        '--bucket': sfn.JsonPath.stringAt('$.drop.bucket'),
        '--key': sfn.JsonPath.stringAt('$.drop.key'),
        '--etag': sfn.JsonPath.stringAt('$.drop.etag'),
        '--execution': sfn.JsonPath.executionName,
        '--results_key': resultsKey,
      }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(props.etlTimeout),
    }),
  );
  // The job runs one at a time (MaxConcurrentRuns 1, see glue-etl.ts: its MERGE is the critical
  // section), so while another drop's run holds it StartJobRun fails with
  // ConcurrentRunsExceededException and this run queues here, asking again after a wait drawn
  // at random between 0 and a ceiling (full jitter) that doubles from 30 s to 180 s. A job takes
  // a few minutes (~5 with Glue's start-up): in a burst of 20 drops the last one waits for 19
  // jobs, ~95 minutes. The ceilings of 80 attempts are 30 + 60 + 120 s, then 77 × 180 s:
  // 14,070 s in all, so the waits add up to half that on average, 7,035 s ≈ 117 minutes, with a
  // standard deviation of ~7.6 minutes (80 independent draws; √(Σ ceiling² / 12) ≈ 458 s). They
  // exceed 2 h 35 min (+4.9 σ) less than once in a million runs, which leaves the rest of the execution's
  // 3-hour timeout to this run's own crawls, job and refresh; a queue the retries do not
  // outlast ends in the failure alert with Glue.ConcurrentRunsExceededException, not in a
  // silent timeout. The jitter spreads the waiting runs' attempts: with many waiting, a
  // finished job is taken up within seconds; the job goes to whichever asks first, not to the
  // oldest drop. 80 attempts add ~240 events to the history (the limit is 25,000).
  etl.addRetry({
    errors: ['Glue.ConcurrentRunsExceededException'],
    interval: Duration.seconds(JOB_QUEUE_RETRY.intervalSeconds),
    backoffRate: JOB_QUEUE_RETRY.backoffRate,
    maxDelay: Duration.seconds(JOB_QUEUE_RETRY.maxDelaySeconds),
    maxAttempts: JOB_QUEUE_RETRY.maxAttempts,
    jitterStrategy: sfn.JitterType.FULL,
  });
  const read = guard(
    new tasks.CallAwsService(scope, STATES.readResults, {
      service: 's3',
      action: 'getObject',
      parameters: { Bucket: sfn.JsonPath.stringAt('$.drop.bucket'), Key: resultsKey },
      iamResources: [props.bucket.arnForObjects(`${PREFIXES.results}*`)],
      resultSelector: { value: sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt('$.Body')) },
      resultPath: '$.results',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    }),
  );
  etl.next(read);
  const then = (next: sfn.IChainable): void => {
    read.next(next);
  };
  return { start: etl, then };
}

/**
 * Glue's .sync task passes its timeout to the job run and leaves the state without one; this
 * keeps both, the state's a little longer, so a stuck job run API cannot hold the execution.
 */
class GlueJobTask extends tasks.GlueStartJobRun {
  constructor(
    scope: Construct,
    id: string,
    private readonly jobProps: tasks.GlueStartJobRunProps & { taskTimeout: sfn.Timeout },
  ) {
    super(scope, id, jobProps);
  }

  protected override _renderTask(topLevelQueryLanguage?: sfn.QueryLanguage): unknown {
    const rendered = super._renderTask(topLevelQueryLanguage) as Record<string, unknown>;
    return { ...rendered, TimeoutSeconds: (this.jobProps.taskTimeout.seconds ?? 0) + 600 };
  }
}
