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
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { PREFIXES } from '../../contract/lake.ts';
import { PIPELINE_NAME } from '../../contract/lake.ts';
import { executionConsoleUrl, OUTCOME_VERSION } from '../../contract/outcome.ts';
import { acknowledge, bucketLogicalId } from './nag.ts';
import { refreshStatements, VIEW_NAMES } from '../../contract/sql.ts';

/** State names: the local twin attaches its handlers to the Task states by these names. */
export const STATES = {
  describeDrop: 'Describe drop',
  startInputCrawler: 'Start input crawler',
  getInputCrawler: 'Get input crawler',
  startWarehouseCrawler: 'Start warehouse crawler',
  getWarehouseCrawler: 'Get warehouse crawler',
  runEtl: 'Run ETL job',
  readResults: 'Read ETL results',
  refreshViews: 'Refresh views',
  getRefresh: 'Get refresh status',
  copyToArchive: 'Copy input to archive',
  deleteInput: 'Delete input',
  publishSuccess: 'Publish success',
  publishQuality: 'Publish quality alert',
  publishFailure: 'Publish failure alert',
} as const;

export const POLL_SECONDS = 15;

/**
 * How a run asks again for the Glue job while another drop's run holds it (the job runs one at
 * a time): full jitter, the ceiling doubling from the interval up to maxDelay. The arithmetic
 * is at the retrier, in the constructor.
 */
export const JOB_QUEUE_RETRY = {
  intervalSeconds: 30,
  backoffRate: 2,
  maxDelaySeconds: 180,
  maxAttempts: 80,
} as const;

/**
 * How often a view refresh Redshift aborted for a serializable-isolation conflict is resubmitted,
 * and the first ceiling of the random wait before a resubmission (it doubles each time).
 */
export const REFRESH_CONFLICT = { resubmits: 5, firstCeilingSeconds: 15 } as const;

/** How Redshift words a serializable-isolation conflict (ERROR 1023) in a statement's error. */
export const SERIALIZABLE_ISOLATION_ERRORS = [
  '*Serializable isolation violation*',
  '*ERROR: 1023*',
  '*ERROR:1023*',
] as const;

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

const TRANSIENT = [
  'ThrottlingException',
  'Glue.ThrottlingException',
  'Glue.InternalServiceException',
  'Glue.OperationTimeoutException',
  'RedshiftData.ThrottlingException',
  'RedshiftData.InternalServerException',
  'S3.S3Exception',
  'S3.SdkClientException',
  'Sns.ThrottledException',
  'Sns.InternalErrorException',
];

export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { bucket } = props;

    // --- failure path: every catch records where it failed, then one publish + Fail ---
    const failureOutcome = new sfn.Pass(this, 'Build failure outcome', {
      parameters: {
        version: OUTCOME_VERSION,
        status: 'FAILED',
        source: sfn.JsonPath.objectAt('$.drop'),
        execution: executionInfo(stack),
        error: sfn.JsonPath.objectAt('$.failure'),
      },
      resultPath: '$.outcome',
    });
    const publishFailure = new tasks.SnsPublish(this, STATES.publishFailure, {
      topic: props.failureTopic,
      message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
      messageAttributes: { status: { value: 'FAILED' } },
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
    const failed = new sfn.Fail(this, 'Pipeline failed', {
      errorPath: '$.failure.error',
      causePath: '$.outcomeText.text',
    });
    failureOutcome.next(asText(this, 'Failure outcome as text')).next(publishFailure).next(failed);

    /**
     * Completes the {state, error} a catch recorded at `path` with the caught error's cause.
     * A caught error may come without a Cause (some States.* errors do), and a Pass that reads an
     * absent path fails uncatchably (States.Runtime): read the cause only when there is one.
     */
    const recordCause = (what: string, path: string, next: sfn.IChainable): sfn.Choice => {
      const record = (name: string, cause: string): sfn.Pass =>
        new sfn.Pass(this, name, {
          parameters: {
            state: sfn.JsonPath.stringAt(`${path}.state`),
            error: sfn.JsonPath.stringAt(`${path}.error`),
            cause,
          },
          resultPath: path,
        });
      const noCause = sfn.JsonPath.format(
        '{} failed with {} and gave no cause.',
        sfn.JsonPath.stringAt(`${path}.state`),
        sfn.JsonPath.stringAt(`${path}.error`),
      );
      return new sfn.Choice(this, `${what} has a cause?`)
        .when(
          hasString('$.error.Cause'),
          record(`Record the ${what.toLowerCase()} cause`, sfn.JsonPath.stringAt('$.error.Cause')).next(next),
        )
        .otherwise(record(`Record a ${what.toLowerCase()} without cause`, noCause).next(next));
    };
    const recordFailure = recordCause('Failure', '$.failure', failureOutcome);
    /** Retries, and catches any error into {state, error, cause} at `path` before going on to `next`. */
    const guard = <T extends sfn.TaskStateBase>(
      task: T,
      path = '$.failure',
      next: sfn.IChainable = recordFailure,
    ): T => {
      retry(task);
      const record = new sfn.Pass(this, `Record failure in ${task.stateId}`, {
        parameters: { state: task.stateId, error: sfn.JsonPath.stringAt('$.error.Error') },
        resultPath: path,
      });
      record.next(next);
      task.addCatch(record, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    // --- a publish that fails keeps the run's outcome, adds why it went unpublished, then fails
    // (publishing a failure alert instead would rewrite the outcome, to a topic likely as broken) ---
    const notPublished = new sfn.Fail(this, 'Outcome not published', {
      error: 'OutcomeNotPublished',
      causePath: '$.outcomeText.text',
    });
    const qualityFailed = new sfn.Fail(this, 'Quality gate failed', {
      error: 'QualityGateFailed',
      causePath: '$.outcomeText.text',
    });
    const unpublished = asText(this, 'Unpublished outcome as text').next(
      new sfn.Choice(this, 'Which outcome went unpublished?')
        // A failed run keeps its first error as the execution's error.
        .when(sfn.Condition.stringEquals('$.outcome.status', 'FAILED'), failed)
        .when(sfn.Condition.stringEquals('$.outcome.status', 'QUALITY_FAILED'), qualityFailed)
        .otherwise(notPublished),
    );
    const recordPublishError = recordCause('Publish error', '$.outcome.publishError', unpublished);
    const publishGuard = <T extends sfn.TaskStateBase>(task: T): T =>
      guard(task, '$.outcome.publishError', recordPublishError);
    publishGuard(publishFailure);

    const failWith = (
      name: string,
      state: string,
      error: string,
      cause: string | undefined,
      causePath?: string,
    ): sfn.Pass =>
      new sfn.Pass(this, name, {
        parameters: { state, error, cause: causePath ? sfn.JsonPath.stringAt(causePath) : cause },
        resultPath: '$.failure',
      }).next(failureOutcome) as unknown as sfn.Pass;

    // --- describe the drop (from the S3 "Object Created" event) ---
    // EventBridge's S3 events carry the key raw (S3's notifications to SQS/SNS/Lambda URL-encode
    // it): it is passed on as is; only CopySource needs encoding, which the ETL step does.
    const describe = new sfn.Pass(this, STATES.describeDrop, {
      parameters: {
        bucket: sfn.JsonPath.stringAt('$.detail.bucket.name'),
        key: sfn.JsonPath.stringAt('$.detail.object.key'),
        etag: sfn.JsonPath.stringAt('$.detail.object.etag'),
        size: sfn.JsonPath.numberAt('$.detail.object.size'),
      },
      resultPath: '$.drop',
    });

    // --- crawlers: start (already running is fine), then poll until READY, within a deadline ---
    const crawl = (
      which: 'input' | 'warehouse',
      crawlerName: string,
      startName: string,
      getName: string,
    ): [sfn.IChainable, sfn.Choice] => {
      const label = which;
      const crawlerArn = stack.formatArn({ service: 'glue', resource: 'crawler', resourceName: crawlerName });
      const start = guard(
        new tasks.CallAwsService(this, startName, {
          service: 'glue',
          action: 'startCrawler',
          parameters: { Name: crawlerName },
          iamResources: [crawlerArn],
          resultPath: sfn.JsonPath.DISCARD,
          taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
        }),
      );
      const resetPolls = new sfn.Pass(this, `Reset ${label} crawler polls`, {
        result: sfn.Result.fromObject({ n: 0 }),
        resultPath: '$.polls',
      });
      const wait = new sfn.Wait(this, `Wait for ${label} crawler`, {
        time: sfn.WaitTime.duration(Duration.seconds(POLL_SECONDS)),
      });
      const get = guard(
        new tasks.CallAwsService(this, getName, {
          service: 'glue',
          action: 'getCrawler',
          parameters: { Name: crawlerName },
          iamResources: [crawlerArn],
          resultSelector: {
            state: sfn.JsonPath.stringAt('$.Crawler.State'),
            crawler: sfn.JsonPath.objectAt('$.Crawler'),
          },
          resultPath: '$.crawler',
          taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
        }),
      );
      const count = new sfn.Pass(this, `Count ${label} crawler polls`, {
        parameters: { n: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.n'), 1) },
        resultPath: '$.polls',
      });
      const maxPolls = Math.ceil(props.crawlerTimeout.toSeconds() / POLL_SECONDS);
      const done = new sfn.Choice(this, `${label[0]!.toUpperCase()}${label.slice(1)} crawler finished?`);
      start.addCatch(resetPolls, {
        errors: ['Glue.CrawlerRunningException'],
        resultPath: sfn.JsonPath.DISCARD,
      });
      start.next(resetPolls).next(wait).next(get).next(count).next(done);
      const lastCrawl = (status: 'FAILED' | 'CANCELLED'): sfn.Condition =>
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.crawler.state', 'READY'),
          sfn.Condition.isPresent('$.crawler.crawler.LastCrawl.Status'),
          sfn.Condition.stringEquals('$.crawler.crawler.LastCrawl.Status', status),
        );
      const lastCrawlFailed = lastCrawl('FAILED');
      // A path that is absent fails a Pass state uncatchably: read the message only when it is there.
      done
        .when(
          sfn.Condition.and(
            lastCrawlFailed,
            sfn.Condition.isPresent('$.crawler.crawler.LastCrawl.ErrorMessage'),
          ),
          failWith(
            `The ${label} crawler failed`,
            getName,
            'CrawlerFailed',
            undefined,
            '$.crawler.crawler.LastCrawl.ErrorMessage',
          ),
        )
        .when(
          lastCrawlFailed,
          failWith(
            `The ${label} crawler failed silently`,
            getName,
            'CrawlerFailed',
            `The ${crawlerName} crawler's last crawl failed.`,
          ),
        )
        // A cancelled crawl is no success: the catalog may not describe this drop yet.
        .when(
          lastCrawl('CANCELLED'),
          failWith(
            `The ${label} crawl was cancelled`,
            getName,
            'CrawlerCancelled',
            `The ${crawlerName} crawler's last crawl was cancelled before it finished, so the catalog may not describe this drop; nothing was loaded.`,
          ),
        )
        .when(
          sfn.Condition.and(
            sfn.Condition.not(sfn.Condition.stringEquals('$.crawler.state', 'READY')),
            sfn.Condition.numberGreaterThanEquals('$.polls.n', maxPolls),
          ),
          failWith(
            `The ${label} crawler timed out`,
            getName,
            'CrawlerTimeout',
            `The ${crawlerName} crawler did not finish within ${props.crawlerTimeout.toMinutes()} minutes.`,
          ),
        )
        .when(sfn.Condition.not(sfn.Condition.stringEquals('$.crawler.state', 'READY')), wait);
      return [start, done];
    };
    const [inputCrawl, inputDone] = crawl(
      'input',
      props.inputCrawlerName,
      STATES.startInputCrawler,
      STATES.getInputCrawler,
    );
    const [warehouseCrawl, warehouseDone] = crawl(
      'warehouse',
      props.warehouseCrawlerName,
      STATES.startWarehouseCrawler,
      STATES.getWarehouseCrawler,
    );
    inputDone.otherwise(warehouseCrawl);

    // --- the ETL job: contract + ruleset, quarantine, load; it writes results/<execution>.json ---
    const resultsKey = sfn.JsonPath.format(`${PREFIXES.results}{}.json`, sfn.JsonPath.executionName);
    const etl = guard(
      new GlueJobTask(this, STATES.runEtl, {
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
    warehouseDone.otherwise(etl);
    const read = guard(
      new tasks.CallAwsService(this, STATES.readResults, {
        service: 's3',
        action: 'getObject',
        parameters: { Bucket: sfn.JsonPath.stringAt('$.drop.bucket'), Key: resultsKey },
        iamResources: [bucket.arnForObjects(`${PREFIXES.results}*`)],
        resultSelector: { value: sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt('$.Body')) },
        resultPath: '$.results',
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
      }),
    );
    etl.next(read);

    // --- quality gate ---
    const qualityOutcome = new sfn.Pass(this, 'Build quality outcome', {
      parameters: outcomeParameters(stack, []),
      resultPath: '$.outcome',
    });
    const publishQuality = publishGuard(
      new tasks.SnsPublish(this, STATES.publishQuality, {
        topic: props.failureTopic,
        message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
        messageAttributes: { status: { value: 'QUALITY_FAILED' } },
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
      }),
    );
    qualityOutcome.next(asText(this, 'Quality outcome as text')).next(publishQuality).next(qualityFailed);

    // --- refresh the views (Redshift Data API), polling until the batch finishes ---
    const refresh = guard(
      new tasks.CallAwsService(this, STATES.refreshViews, {
        service: 'redshiftdata',
        action: 'batchExecuteStatement',
        iamAction: 'redshift-data:BatchExecuteStatement',
        parameters: {
          WorkgroupName: props.workgroupName,
          Database: props.database,
          SecretArn: props.secretArn,
          Sqls: refreshStatements(),
        },
        iamResources: [props.workgroupArn],
        resultSelector: { id: sfn.JsonPath.stringAt('$.Id') },
        resultPath: '$.refresh',
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
      }),
    );
    const waitRefresh = new sfn.Wait(this, 'Wait for refresh', {
      time: sfn.WaitTime.duration(Duration.seconds(5)),
    });
    const getRefresh = guard(
      new tasks.CallAwsService(this, STATES.getRefresh, {
        service: 'redshiftdata',
        action: 'describeStatement',
        iamAction: 'redshift-data:DescribeStatement',
        parameters: { Id: sfn.JsonPath.stringAt('$.refresh.id') },
        iamResources: ['*'],
        resultSelector: {
          id: sfn.JsonPath.stringAt('$.Id'),
          status: sfn.JsonPath.stringAt('$.Status'),
          statement: sfn.JsonPath.objectAt('$'),
        },
        resultPath: '$.refresh',
        taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
      }),
    );
    const refreshDone = new sfn.Choice(this, 'Refresh finished?');
    // Redshift aborts a refresh that overlaps another run's refresh or MERGE in a way it cannot
    // serialize (ERROR 1023, "Serializable isolation violation on table ..."). Retrying is its
    // documented remedy: the batch is resubmitted up to 5 times, each after a wait drawn at
    // random between 1 s and a ceiling that doubles (15, 30, 60, 120, 240 s: 7 min 45 s at most
    // in all, about half that on average), the count kept in $.refreshAttempts. Loads are one
    // at a time, so what overlaps is one other run's MERGE or refresh, each over within minutes.
    const resetRefreshAttempts = new sfn.Pass(this, 'Reset refresh attempts', {
      result: sfn.Result.fromObject({ conflicts: 0, ceiling: REFRESH_CONFLICT.firstCeilingSeconds }),
      resultPath: '$.refreshAttempts',
    });
    const countConflict = new sfn.Pass(this, 'Count refresh conflicts', {
      parameters: {
        conflicts: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.refreshAttempts.conflicts'), 1),
        ceiling: sfn.JsonPath.mathAdd(
          sfn.JsonPath.numberAt('$.refreshAttempts.ceiling'),
          sfn.JsonPath.numberAt('$.refreshAttempts.ceiling'),
        ),
        wait: sfn.JsonPath.mathRandom(1, sfn.JsonPath.numberAt('$.refreshAttempts.ceiling')),
      },
      resultPath: '$.refreshAttempts',
    });
    const waitToResubmit = new sfn.Wait(this, 'Wait to resubmit the refresh', {
      time: sfn.WaitTime.secondsPath('$.refreshAttempts.wait'),
    });
    countConflict.next(waitToResubmit).next(refresh);
    const conflict = sfn.Condition.or(
      ...SERIALIZABLE_ISOLATION_ERRORS.map((p) =>
        sfn.Condition.stringMatches('$.refresh.statement.Error', p),
      ),
    );
    // A separate Choice: the error is matched only once it is known to be a string.
    const refreshError = new sfn.Choice(this, 'Refresh aborted by a conflict?')
      .when(
        sfn.Condition.and(
          conflict,
          sfn.Condition.numberLessThan('$.refreshAttempts.conflicts', REFRESH_CONFLICT.resubmits),
        ),
        countConflict,
      )
      .when(
        conflict,
        failWith(
          'The view refresh kept conflicting',
          STATES.getRefresh,
          'RefreshConflict',
          sfn.JsonPath.format(
            'Redshift aborted the view refresh for a serializable-isolation conflict (ERROR 1023) with a concurrent refresh or load on every attempt: resubmitted {} times with backoff, it never finished. The last error: {}',
            sfn.JsonPath.stringAt('$.refreshAttempts.conflicts'),
            sfn.JsonPath.stringAt('$.refresh.statement.Error'),
          ),
        ),
      )
      .otherwise(
        failWith(
          'The view refresh failed',
          STATES.getRefresh,
          'RefreshFailed',
          undefined,
          '$.refresh.statement.Error',
        ),
      );

    // --- archive the input: copy, then delete ---
    const archiveKey = sfn.JsonPath.format(
      `${PREFIXES.archive}{}/{}`,
      sfn.JsonPath.executionName,
      sfn.JsonPath.stringAt('$.drop.key'),
    );
    const leaveNewerDrop = new sfn.Pass(this, 'Leave the newer drop');
    const copyTask = new tasks.CallAwsService(this, STATES.copyToArchive, {
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
    const recordArchiveFailure = new sfn.Pass(this, 'Record failure in archiving', {
      parameters: { state: STATES.copyToArchive, error: sfn.JsonPath.stringAt('$.error.Error') },
      resultPath: '$.failure',
    }).next(recordFailure);
    const inputReplaced = new sfn.Choice(this, 'Input replaced by a newer drop?')
      .when(
        sfn.Condition.or(
          sfn.Condition.stringMatches('$.error.Cause', '*PreconditionFailed*'),
          sfn.Condition.stringMatches('$.error.Cause', '*Status Code: 412*'),
        ),
        leaveNewerDrop,
      )
      .otherwise(recordArchiveFailure);
    copyTask.addCatch(
      new sfn.Choice(this, 'Archive refusal has a cause?')
        .when(hasString('$.error.Cause'), inputReplaced)
        .otherwise(recordArchiveFailure),
      { errors: ['S3.S3Exception'], resultPath: '$.error' },
    );
    const copy = guard(copyTask);
    const remove = guard(
      new tasks.CallAwsService(this, STATES.deleteInput, {
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
    const successOutcome = new sfn.Pass(this, 'Build success outcome', {
      parameters: outcomeParameters(stack, VIEW_NAMES),
      resultPath: '$.outcome',
    });
    leaveNewerDrop.next(successOutcome);
    const publishSuccess = publishGuard(
      new tasks.SnsPublish(this, STATES.publishSuccess, {
        topic: props.successTopic,
        message: sfn.TaskInput.fromJsonPathAt('$.outcomeText.text'),
        messageAttributes: { status: { value: sfn.JsonPath.stringAt('$.outcome.status') } },
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
      }),
    );
    const succeeded = new sfn.Succeed(this, 'Done', { outputPath: '$.outcome' });

    // Reading an absent field fails a state uncatchably, with no alert: check the results first.
    const resultFields = ['status', 'source', 'quality', 'load', 'quarantine', 'copySource'];
    read.next(
      new sfn.Choice(this, 'Results complete?')
        .when(
          sfn.Condition.and(...resultFields.map((f) => sfn.Condition.isPresent(`$.results.value.${f}`))),
          new sfn.Choice(this, 'Quality gate passed?')
            .when(sfn.Condition.stringEquals('$.results.value.status', 'QUALITY_FAILED'), qualityOutcome)
            .otherwise(resetRefreshAttempts.next(refresh)),
        )
        .otherwise(
          failWith(
            'The ETL results are incomplete',
            STATES.readResults,
            'ResultsIncomplete',
            `The ETL job's results lack a field the pipeline needs (${resultFields.join(', ')}): are the job script and the state machine from the same deploy?`,
          ),
        ),
    );
    refresh.next(waitRefresh).next(getRefresh).next(refreshDone);
    refreshDone
      .when(sfn.Condition.stringEquals('$.refresh.status', 'FINISHED'), copy)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.refresh.status', 'FAILED'),
          hasString('$.refresh.statement.Error'),
        ),
        refreshError,
      )
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.refresh.status', 'FAILED'),
          sfn.Condition.stringEquals('$.refresh.status', 'ABORTED'),
        ),
        failWith(
          'The view refresh stopped',
          STATES.getRefresh,
          'RefreshFailed',
          'The statement that refreshes the views was aborted or failed without a message.',
        ),
      )
      .otherwise(waitRefresh);
    copy
      .next(remove)
      .next(successOutcome)
      .next(asText(this, 'Success outcome as text'))
      .next(publishSuccess)
      .next(succeeded);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: PIPELINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(describe.next(inputCrawl)),
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

/** The path holds a string (IsPresent first: a comparison on an absent path is a runtime error). */
function hasString(path: string): sfn.Condition {
  return sfn.Condition.and(sfn.Condition.isPresent(path), sfn.Condition.isString(path));
}

function retry(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: TRANSIENT,
    interval: Duration.seconds(2),
    maxAttempts: 5,
    backoffRate: 2,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

function executionInfo(stack: Stack): Record<string, unknown> {
  return {
    arn: sfn.JsonPath.executionId,
    name: sfn.JsonPath.executionName,
    startedAt: sfn.JsonPath.executionStartTime,
    consoleUrl: sfn.JsonPath.format(executionConsoleUrl(stack.region), sfn.JsonPath.executionId),
  };
}

/** The outcome of a run whose ETL finished: its results plus the execution and the refreshed views. */
function outcomeParameters(stack: Stack, views: readonly string[]): Record<string, unknown> {
  return {
    version: OUTCOME_VERSION,
    status: sfn.JsonPath.stringAt('$.results.value.status'),
    source: sfn.JsonPath.objectAt('$.results.value.source'),
    execution: executionInfo(stack),
    quality: sfn.JsonPath.objectAt('$.results.value.quality'),
    load: sfn.JsonPath.objectAt('$.results.value.load'),
    quarantine: sfn.JsonPath.objectAt('$.results.value.quarantine'),
    views: [...views],
  };
}

/** SNS messages and Fail causes are strings: serialize the outcome once, to $.outcomeText.text. */
function asText(scope: Construct, name: string): sfn.Pass {
  return new sfn.Pass(scope, name, {
    parameters: { text: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.outcome')) },
    resultPath: '$.outcomeText',
  });
}
