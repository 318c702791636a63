/**
 * What each Task state of the pipeline does locally. The state machine passes each handler
 * the same parameters AWS would get; handlers answer with the same shapes AWS returns.
 */
import { STATES } from '../infra/constructs/pipeline-state-machine.ts';
import { crawlInput, crawlWarehouse, type CrawlerDeps } from './crawlers.ts';
import { runLocalEtl, type EtlDeps } from './etl.ts';
import { parseCopySource } from './s3-api.ts';
import type { RedshiftDataApi } from './redshift-data-api.ts';
import type { Sns } from './sns.ts';
import type { TaskHandler } from './stepfunctions.ts';
import { taskError } from './task-error.ts';

export interface HandlerDeps extends CrawlerDeps, EtlDeps {
  readonly redshift: RedshiftDataApi;
  readonly sns: Sns;
  /** The Glue job's MaxConcurrentRuns, as the synthesized template sets it. */
  readonly maxConcurrentRuns: number;
}

export function pipelineHandlers(deps: HandlerDeps): Record<string, TaskHandler> {
  const { store, redshift, sns } = deps;
  let jobRuns = 0;
  const ready = { Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } };
  const publish: TaskHandler = async (input) => {
    const attrs = (input.MessageAttributes ?? {}) as Record<
      string,
      { DataType: string; StringValue: string }
    >;
    const m = sns.publish(
      String(input.TopicArn),
      String(input.Message),
      Object.fromEntries(
        Object.entries(attrs).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }]),
      ),
    );
    return { MessageId: m.MessageId };
  };
  return {
    [STATES.startInputCrawler]: async () => ({}),
    [STATES.getInputCrawler]: async () => {
      crawlInput(deps);
      return ready;
    },
    [STATES.startWarehouseCrawler]: async () => ({}),
    [STATES.getWarehouseCrawler]: async () => {
      await crawlWarehouse(deps);
      return ready;
    },
    [STATES.runEtl]: async (input) =>
      startJobRun(String(input.JobName), () => runLocalEtl(deps, input.Arguments as Record<string, string>)),
    [STATES.readResults]: async (input) => ({
      Body: store.read(String(input.Bucket), String(input.Key)).toString('utf8'),
    }),
    [STATES.refreshViews]: async (input) =>
      redshift.submit((input.Sqls as string[]).map(String), input, true),
    [STATES.getRefresh]: async (input) => redshift.describe(String(input.Id)),
    [STATES.copyToArchive]: async (input) => {
      const from = parseCopySource(String(input.CopySource));
      const wanted = input.CopySourceIfMatch;
      if (wanted !== undefined && store.head(from.bucket, from.key).etag !== String(wanted))
        throw taskError(
          'S3.S3Exception',
          'At least one of the pre-conditions you specified did not hold (Service: S3, Status Code: 412, Error Code: PreconditionFailed)',
        );
      const meta = store.copy(from.bucket, from.key, String(input.Bucket), String(input.Key));
      return { CopyObjectResult: { ETag: meta.etag, LastModified: meta.lastModified } };
    },
    [STATES.deleteInput]: async (input) => {
      store.delete(String(input.Bucket), String(input.Key));
      return {};
    },
    [STATES.publishSuccess]: publish,
    [STATES.publishQuality]: publish,
    [STATES.publishFailure]: publish,
  };

  /** Glue refuses a run of a job that already has MaxConcurrentRuns runs in progress. */
  async function startJobRun(jobName: string, run: () => Promise<unknown>): Promise<unknown> {
    if (jobRuns >= deps.maxConcurrentRuns)
      throw taskError(
        'Glue.ConcurrentRunsExceededException',
        `Concurrent runs exceeded for ${jobName} (Service: AWSGlue; Status Code: 400; Error Code: ConcurrentRunsExceededException)`,
      );
    jobRuns++;
    try {
      return await run();
    } finally {
      jobRuns--;
    }
  }
}
