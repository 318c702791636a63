import { describe, expect, it } from '@jest/globals';
import '../../../local-aws/polyfills.ts';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  JOB_QUEUE_RETRY,
  POLL_SECONDS,
  REFRESH_CONFLICT,
  STATES,
} from '../../../infra/constructs/pipeline-state-machine.ts';
import { stateMachineDefinition } from '../../../local-aws/asl.ts';
import { copySourceOf } from '../../../contract/etl-results.ts';
import { parseOutcome, type EtlResults, type Outcome } from '../../../contract/outcome.ts';
import { refreshStatements } from '../../../contract/sql.ts';
import { logicalId, synth } from './synth.ts';

type Json = Record<string, unknown>;
const { json } = synth();
const definition = stateMachineDefinition(json);
const topic = (name: string): string =>
  `local-${logicalId(json, 'AWS::SNS::Topic', (p) => p.TopicName === name)}`;
const SUCCESS = topic('movies-pipeline-success');
const FAILURE = topic('movies-pipeline-failure');
const EXECUTION = {
  Id: 'arn:aws:states:us-east-1:000000000000:execution:movies-pipeline:run-1',
  Name: 'run-1',
  StartTime: '2026-11-26T06:00:00.000Z',
};

const event = {
  version: '0',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  detail: {
    bucket: { name: 'movies-gds-lake' },
    object: { key: 'input_data/2024/q2.csv', size: 4200, etag: '9e107d9d' },
  },
};

function results(status: EtlResults['status']): EtlResults {
  const rejected = status === 'QUALITY_FAILED';
  return {
    status,
    source: {
      bucket: 'movies-gds-lake',
      key: 'input_data/2024/q2.csv',
      etag: '9e107d9d',
      size: 4200,
      commit: 'abc123',
      repository: 'acme/movies-data',
      pullRequest: '42',
      actor: 'octocat',
    },
    quality: {
      score: rejected ? 0.5 : 1,
      rowsProcessed: 30,
      rowsPassed: status === 'SUCCEEDED' ? 30 : 22,
      rowsFailed: status === 'SUCCEEDED' ? 0 : 8,
      // Quotes and backslashes in rules and messages must survive the trip through States.JsonToString.
      rules: [
        {
          name: 'Rule_1',
          rule: 'RowCount > 0',
          result: 'PASS',
          gate: true,
          metrics: { 'Dataset.*.RowCount': 30 },
        },
        {
          name: 'Rule_3',
          rule: 'Completeness "title" > 0.95',
          result: rejected ? 'FAIL' : 'PASS',
          gate: true,
          message: 'e.g. line 4: "C:\\films"',
          metrics: { 'Column.title.Completeness': rejected ? 0.75 : 1 },
        },
      ],
      gatesFailed: rejected ? ['Rule_3'] : [],
      reasons: [],
    },
    load: { table: 'movies', rowsLoaded: rejected ? 0 : status === 'SUCCEEDED' ? 30 : 22 },
    quarantine:
      status === 'SUCCEEDED'
        ? null
        : { uri: 's3://movies-gds-lake/bad_data/run-1/', rows: rejected ? 30 : 8 },
    copySource: 'movies-gds-lake/input_data/2024/q2.csv',
  };
}

interface Run {
  output?: Json;
  error?: { name: string; cause: string };
  calls: { state: string; input: Json }[];
  published: { topic: string; message: string; status: string }[];
}

/** Run the synthesized definition with stub AWS calls; `overrides` replace some of them. */
async function run(
  etl: EtlResults | null,
  overrides: Record<string, (input: Json) => unknown> = {},
  input: typeof event = event,
): Promise<Run> {
  const calls: Run['calls'] = [];
  const published: Run['published'] = [];
  const stubs: Record<string, (input: Json) => unknown> = {
    [STATES.startInputCrawler]: () => ({}),
    [STATES.getInputCrawler]: () => ({ Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } }),
    [STATES.startWarehouseCrawler]: () => ({}),
    [STATES.getWarehouseCrawler]: () => ({ Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } }),
    [STATES.runEtl]: () => ({ JobRunState: 'SUCCEEDED' }),
    [STATES.readResults]: () => ({ Body: JSON.stringify(etl) }),
    [STATES.refreshViews]: () => ({ Id: 'stmt-1' }),
    [STATES.getRefresh]: () => ({ Id: 'stmt-1', Status: 'FINISHED' }),
    [STATES.copyToArchive]: () => ({}),
    [STATES.deleteInput]: () => ({}),
    [STATES.publishSuccess]: () => ({ MessageId: 'm' }),
    [STATES.publishQuality]: () => ({ MessageId: 'm' }),
    [STATES.publishFailure]: () => ({ MessageId: 'm' }),
    ...overrides,
  };
  const handlers = Object.fromEntries(
    Object.entries(stubs).map(([state, fn]) => [
      state,
      async (input: unknown) => {
        const i = input as Json;
        calls.push({ state, input: i });
        if (state.startsWith('Publish'))
          published.push({
            topic: String(i.TopicArn),
            message: String(i.Message),
            status: String(
              (i.MessageAttributes as Json | undefined)?.status &&
                (i.MessageAttributes as Record<string, Json>).status!.StringValue,
            ),
          });
        return fn(i) as never;
      },
    ]),
  );
  const waits = Object.fromEntries(
    Object.entries(definition.States as Record<string, Json>)
      .filter(([, s]) => s.Type === 'Wait')
      .map(([n]) => [n, 0]),
  );
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input, {
    // Retries wait no time here: what is asserted is where they lead.
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: waits,
      retryIntervalOverrides: Object.fromEntries(Object.keys(stubs).map((state) => [state, 0])),
    },
    context: { Execution: EXECUTION } as never,
  });
  try {
    return { output: (await execution.result) as Json, calls, published };
  } catch (err) {
    // A Fail state surfaces as an ExecutionError whose cause carries the state's Error (name) and Cause (message).
    const fail = (err as { cause?: { name: string; message: string } }).cause;
    if (!fail) throw err;
    return { error: { name: fail.name, cause: fail.message }, calls, published };
  }
}

const states = (r: Run): string[] => r.calls.map((c) => c.state);

/** A task stub that fails as AWS would: the error's name, and its cause (none when absent). */
const throws = (name: string, cause?: string) => (): never => {
  throw Object.assign(new Error(cause), { name, ...(cause === undefined ? { message: undefined } : {}) });
};

describe('the synthesized state machine', () => {
  it('is valid ASL in JSONPath mode', () => {
    const { isValid, errorsText } = aslValidator(structuredClone(definition) as never) as {
      isValid: boolean;
      errorsText: (sep?: string) => string;
    };
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('matches its snapshot', () => {
    expect(definition).toMatchSnapshot();
  });

  it('success: loads, refreshes the views, archives the input and publishes the outcome to the success topic', async () => {
    const r = await run(results('SUCCEEDED'));
    const outcome = r.output as unknown as Outcome;
    expect(outcome).toMatchObject({
      version: 1,
      status: 'SUCCEEDED',
      source: { key: 'input_data/2024/q2.csv', commit: 'abc123', pullRequest: '42', actor: 'octocat' },
      execution: {
        arn: EXECUTION.Id,
        name: 'run-1',
        startedAt: expect.any(String),
        consoleUrl: `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION.Id}`,
      },
      load: { rowsLoaded: 30 },
      quarantine: null,
      views: ['mv_top_rated_movies', 'mv_genre_statistics', 'mv_yearly_trends'],
    });
    expect(r.published).toEqual([{ topic: SUCCESS, message: JSON.stringify(outcome), status: 'SUCCEEDED' }]);
    expect(parseOutcome(r.published[0]!.message)).toEqual(outcome);
    const call = (state: string): Json => r.calls.find((c) => c.state === state)!.input;
    expect(call(STATES.runEtl)).toMatchObject({
      Arguments: {
        '--bucket': 'movies-gds-lake',
        '--key': 'input_data/2024/q2.csv',
        '--etag': '9e107d9d',
        '--execution': 'run-1',
        '--results_key': 'results/run-1.json',
      },
    });
    expect(call(STATES.refreshViews)).toMatchObject({ Sqls: refreshStatements() });
    expect(call(STATES.copyToArchive)).toMatchObject({
      CopySource: 'movies-gds-lake/input_data/2024/q2.csv',
      Key: 'archive/run-1/input_data/2024/q2.csv',
    });
    expect(call(STATES.deleteInput)).toMatchObject({
      Bucket: 'movies-gds-lake',
      Key: 'input_data/2024/q2.csv',
    });
  });

  it('partial: quarantined rows are in the outcome, published to the success topic as PARTIAL', async () => {
    const r = await run(results('PARTIAL'));
    expect(r.output).toMatchObject({
      status: 'PARTIAL',
      load: { rowsLoaded: 22 },
      quarantine: { uri: 's3://movies-gds-lake/bad_data/run-1/', rows: 8 },
    });
    expect(r.published.map((p) => [p.topic, p.status])).toEqual([[SUCCESS, 'PARTIAL']]);
  });

  it('quality gate failed: nothing refreshed or archived, the alert goes to the failure topic, the execution fails with the outcome as cause', async () => {
    const r = await run(results('QUALITY_FAILED'));
    expect(r.error?.name).toBe('QualityGateFailed');
    const outcome = parseOutcome(r.error!.cause);
    expect(outcome).toMatchObject({
      status: 'QUALITY_FAILED',
      quality: { gatesFailed: ['Rule_3'] },
      quarantine: { rows: 30 },
      views: [],
    });
    expect(r.published).toEqual([{ topic: FAILURE, message: r.error!.cause, status: 'QUALITY_FAILED' }]);
    expect(states(r)).not.toContain(STATES.refreshViews);
    expect(states(r)).not.toContain(STATES.deleteInput);
  });

  it('ETL job failed: the failure outcome names the state, the error and the cause', async () => {
    const r = await run(null, {
      [STATES.runEtl]: throws('States.TaskFailed', 'movies_2024.csv:1: missing required column: title'),
    });
    expect(r.error?.name).toBe('States.TaskFailed');
    const outcome = parseOutcome(r.error!.cause);
    expect(outcome).toMatchObject({
      status: 'FAILED',
      source: { bucket: 'movies-gds-lake', key: 'input_data/2024/q2.csv', etag: '9e107d9d', size: 4200 },
      error: {
        state: 'Run ETL job',
        error: 'States.TaskFailed',
        cause: expect.stringContaining('missing required column: title'),
      },
    });
    expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
    expect(states(r)).not.toContain(STATES.readResults);
  });

  // An older job script, or a hand-edited results file: a missing field would stop the run uncatchably.
  it.each(['copySource', 'quality', 'status'] as const)(
    'ETL results without %s: ResultsIncomplete, before the views are refreshed, and the alert goes out',
    async (field) => {
      const incomplete = { ...results('SUCCEEDED') } as Partial<EtlResults>;
      delete incomplete[field];
      const r = await run(incomplete as EtlResults);
      expect(r.error?.name).toBe('ResultsIncomplete');
      expect(parseOutcome(r.error!.cause)).toMatchObject({
        status: 'FAILED',
        error: {
          state: 'Read ETL results',
          error: 'ResultsIncomplete',
          cause: expect.stringContaining(field),
        },
      });
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
      expect(states(r)).not.toContain(STATES.refreshViews);
    },
  );

  it('crawler timeout: polls a bounded number of times, then fails with CrawlerTimeout', async () => {
    const r = await run(null, { [STATES.getInputCrawler]: () => ({ Crawler: { State: 'RUNNING' } }) });
    expect(r.error?.name).toBe('CrawlerTimeout');
    expect(parseOutcome(r.error!.cause).error).toEqual({
      state: 'Get input crawler',
      error: 'CrawlerTimeout',
      cause: 'The crawl-movies-in-s3 crawler did not finish within 15 minutes.',
    });
    expect(states(r).filter((s) => s === STATES.getInputCrawler)).toHaveLength((15 * 60) / POLL_SECONDS);
    expect(states(r)).not.toContain(STATES.runEtl);
    expect(r.published.map((p) => p.topic)).toEqual([FAILURE]);
  });

  it('a crawler that finishes on its very last poll is a success, not a timeout', async () => {
    let polls = 0;
    const r = await run(results('SUCCEEDED'), {
      [STATES.getInputCrawler]: () => ({
        Crawler:
          ++polls < (15 * 60) / POLL_SECONDS
            ? { State: 'RUNNING' }
            : { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } },
      }),
    });
    expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('an aborted view refresh still ends in the failure alert', async () => {
    const r = await run(results('SUCCEEDED'), {
      [STATES.getRefresh]: () => ({ Id: 'stmt-1', Status: 'ABORTED' }),
    });
    expect(r.error?.name).toBe('RefreshFailed');
    expect(parseOutcome(r.error!.cause).error).toEqual({
      state: 'Get refresh status',
      error: 'RefreshFailed',
      cause: 'The statement that refreshes the views was aborted or failed without a message.',
    });
    expect(r.published.map((p) => p.topic)).toEqual([FAILURE]);
  });

  it('a crawler that is already running is waited for, not an error', async () => {
    const r = await run(results('SUCCEEDED'), {
      [STATES.startInputCrawler]: throws(
        'Glue.CrawlerRunningException',
        'Crawler with name crawl-movies-in-s3 has already started',
      ),
    });
    expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a failed crawl fails the run with the crawler’s own message', async () => {
    const r = await run(null, {
      [STATES.getWarehouseCrawler]: () => ({
        Crawler: {
          State: 'READY',
          LastCrawl: { Status: 'FAILED', ErrorMessage: 'Unable to connect to movies-redshift' },
        },
      }),
    });
    expect(r.error?.name).toBe('CrawlerFailed');
    expect(parseOutcome(r.error!.cause).error).toEqual({
      state: 'Get warehouse crawler',
      error: 'CrawlerFailed',
      cause: 'Unable to connect to movies-redshift',
    });
  });

  it.each([
    [STATES.getInputCrawler, 'crawl-movies-in-s3'],
    [STATES.getWarehouseCrawler, 'crawl_movies_data_in_redshift'],
  ])(
    'a cancelled crawl (%s) fails the run with CrawlerCancelled instead of loading on a stale catalog',
    async (state, crawler) => {
      const r = await run(results('SUCCEEDED'), {
        [state]: () => ({ Crawler: { State: 'READY', LastCrawl: { Status: 'CANCELLED' } } }),
      });
      expect(r.error?.name).toBe('CrawlerCancelled');
      expect(parseOutcome(r.error!.cause).error).toEqual({
        state,
        error: 'CrawlerCancelled',
        cause: `The ${crawler} crawler's last crawl was cancelled before it finished, so the catalog may not describe this drop; nothing was loaded.`,
      });
      expect(states(r)).not.toContain(STATES.runEtl);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
    },
  );

  it('an error caught without a cause (some States.* errors have none) still ends in the failure alert', async () => {
    const r = await run(null, {
      [STATES.runEtl]: throws('States.Timeout'),
    });
    expect(r.error?.name).toBe('States.Timeout');
    expect(parseOutcome(r.error!.cause).error).toEqual({
      state: 'Run ETL job',
      error: 'States.Timeout',
      cause: 'Run ETL job failed with States.Timeout and gave no cause.',
    });
    expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
  });

  const kmsDenied = throws(
    'Sns.KMSAccessDeniedException',
    'User is not authorized to perform: kms:GenerateDataKey on the key',
  );

  it('a failure alert that cannot be published still fails the run with the first error, and says so in the cause', async () => {
    const r = await run(null, {
      [STATES.runEtl]: throws('States.TaskFailed', 'movies_2024.csv:1: missing required column: title'),
      [STATES.publishFailure]: kmsDenied,
    });
    expect(r.error?.name).toBe('States.TaskFailed');
    expect(parseOutcome(r.error!.cause)).toMatchObject({
      status: 'FAILED',
      error: {
        state: 'Run ETL job',
        error: 'States.TaskFailed',
        cause: 'movies_2024.csv:1: missing required column: title',
      },
      publishError: {
        state: 'Publish failure alert',
        error: 'Sns.KMSAccessDeniedException',
        cause: 'User is not authorized to perform: kms:GenerateDataKey on the key',
      },
    });
    expect(r.published.map((p) => p.topic)).toEqual([FAILURE]); // the one attempt that failed
  });

  it('a publish error without a cause is recorded too', async () => {
    const r = await run(null, {
      [STATES.getInputCrawler]: () => ({ Crawler: { State: 'READY', LastCrawl: { Status: 'CANCELLED' } } }),
      [STATES.publishFailure]: throws('Sns.KMSDisabledException'),
    });
    expect(r.error?.name).toBe('CrawlerCancelled');
    expect(parseOutcome(r.error!.cause).publishError).toEqual({
      state: 'Publish failure alert',
      error: 'Sns.KMSDisabledException',
      cause: 'Publish failure alert failed with Sns.KMSDisabledException and gave no cause.',
    });
  });

  it('a quality alert that cannot be published keeps the quality outcome, and sends no failure alert', async () => {
    const r = await run(results('QUALITY_FAILED'), { [STATES.publishQuality]: kmsDenied });
    expect(r.error?.name).toBe('QualityGateFailed');
    expect(parseOutcome(r.error!.cause)).toMatchObject({
      status: 'QUALITY_FAILED',
      quality: { gatesFailed: ['Rule_3'] },
      publishError: { state: 'Publish quality alert', error: 'Sns.KMSAccessDeniedException' },
    });
    expect(r.published.map((p) => p.status)).toEqual(['QUALITY_FAILED']);
  });

  it('a success that cannot be published fails with OutcomeNotPublished, the loaded outcome in the cause', async () => {
    const r = await run(results('SUCCEEDED'), { [STATES.publishSuccess]: kmsDenied });
    expect(r.error?.name).toBe('OutcomeNotPublished');
    expect(parseOutcome(r.error!.cause)).toMatchObject({
      status: 'SUCCEEDED',
      load: { rowsLoaded: 30 },
      views: ['mv_top_rated_movies', 'mv_genre_statistics', 'mv_yearly_trends'],
      publishError: { state: 'Publish success', error: 'Sns.KMSAccessDeniedException' },
    });
    expect(states(r)).toContain(STATES.deleteInput);
    expect(r.published.map((p) => p.topic)).toEqual([SUCCESS]);
  });

  it('archives a key that needs URL encoding with the CopySource the ETL step encoded', async () => {
    const key = 'input_data/Amélie + friends.csv';
    const etl = { ...results('SUCCEEDED'), copySource: copySourceOf('movies-gds-lake', key) };
    const r = await run(
      etl,
      {},
      { ...event, detail: { ...event.detail, object: { ...event.detail.object, key } } },
    );
    expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
    const call = (state: string): Json => r.calls.find((c) => c.state === state)!.input;
    expect(call(STATES.copyToArchive)).toEqual({
      Bucket: 'movies-gds-lake',
      CopySource: 'movies-gds-lake/input_data/Am%C3%A9lie%20%2B%20friends.csv',
      Key: `archive/run-1/${key}`, // a Key parameter is raw: the SDK encodes it
      CopySourceIfMatch: '"9e107d9d"',
    });
    expect(call(STATES.deleteInput)).toEqual({ Bucket: 'movies-gds-lake', Key: key });
  });

  // Re-dropped while this run was loading: archiving and deleting the key now would take the
  // newer drop away from its own run.
  it('leaves a newer drop under the same key alone: S3 refuses the copy (412), nothing is deleted, the run succeeds', async () => {
    const refused = throws(
      'S3.S3Exception',
      'At least one of the pre-conditions you specified did not hold (Service: S3, Status Code: 412, Error Code: PreconditionFailed)',
    );
    const r = await run(results('SUCCEEDED'), {
      [STATES.copyToArchive]: refused,
    });
    expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
    expect(states(r)).not.toContain(STATES.deleteInput);
    expect(r.published.map((p) => [p.topic, p.status])).toEqual([[SUCCESS, 'SUCCEEDED']]);
  });

  it('any other refusal of the archive copy is a failure, after its retries', async () => {
    const r = await run(results('SUCCEEDED'), {
      [STATES.copyToArchive]: throws('S3.S3Exception', 'Service Unavailable (Status Code: 503)'),
    });
    expect(r.error?.name).toBe('S3.S3Exception');
    expect(r.calls.filter((c) => c.state === STATES.copyToArchive)).toHaveLength(6);
    expect(states(r)).not.toContain(STATES.deleteInput);
    expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
  });
  describe('concurrent drops', () => {
    const busy = (): never =>
      throws(
        'Glue.ConcurrentRunsExceededException',
        'Concurrent runs exceeded for movie_data_analysis (Service: AWSGlue; Status Code: 400; Error Code: ConcurrentRunsExceededException)',
      )();
    const conflict = (error: string) => ({
      Id: 'stmt-1',
      Status: 'FAILED',
      Error: error,
      QueryString: refreshStatements().join('; '),
    });
    const SERIALIZABLE =
      'ERROR: 1023 DETAIL: Serializable isolation violation on table - 100245, transactions forming the cycle are: 3017, 3021 (pid:1073741953)';
    const count = (r: Run, state: string): number => states(r).filter((s) => s === state).length;

    it('a run that finds the Glue job busy waits its turn, then loads', async () => {
      let attempts = 0;
      const r = await run(results('SUCCEEDED'), {
        [STATES.runEtl]: () => (++attempts <= 3 ? busy() : { JobRunState: 'SUCCEEDED' }),
      });
      expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
      expect(count(r, STATES.runEtl)).toBe(4);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[SUCCESS, 'SUCCEEDED']]);
    });

    it('a queue the retries do not outlast ends in the failure alert, after every attempt', async () => {
      const r = await run(null, { [STATES.runEtl]: busy });
      expect(r.error?.name).toBe('Glue.ConcurrentRunsExceededException');
      expect(parseOutcome(r.error!.cause).error).toEqual({
        state: 'Run ETL job',
        error: 'Glue.ConcurrentRunsExceededException',
        cause: expect.stringContaining('Concurrent runs exceeded for movie_data_analysis'),
      });
      expect(count(r, STATES.runEtl)).toBe(1 + JOB_QUEUE_RETRY.maxAttempts);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
    });

    it('waits for the job with backoff and full jitter, long enough for a burst of 20 drops, within the execution timeout', () => {
      const states = definition.States as Record<string, { Retry?: Json[] }>;
      const retrier = states[STATES.runEtl]!.Retry!.find((r) =>
        (r.ErrorEquals as string[]).includes('Glue.ConcurrentRunsExceededException'),
      ) as {
        IntervalSeconds: number;
        BackoffRate: number;
        MaxDelaySeconds: number;
        MaxAttempts: number;
        JitterStrategy: string;
      };
      expect(retrier).toEqual({
        ErrorEquals: ['Glue.ConcurrentRunsExceededException'],
        IntervalSeconds: 30,
        BackoffRate: 2,
        MaxDelaySeconds: 180,
        MaxAttempts: 80,
        JitterStrategy: 'FULL',
      });
      // Each wait is uniform on [0, ceiling]: the budget's mean is half the ceilings' sum.
      const ceilings = Array.from({ length: retrier.MaxAttempts }, (_, k) =>
        Math.min(retrier.MaxDelaySeconds, retrier.IntervalSeconds * retrier.BackoffRate ** k),
      );
      const mean = ceilings.reduce((a, c) => a + c / 2, 0);
      const sd = Math.sqrt(ceilings.reduce((a, c) => a + (c * c) / 12, 0));
      expect(Math.round(mean)).toBe(7035);
      // The last of 20 drops arriving together waits for 19 jobs of ~5 minutes.
      expect(mean).toBeGreaterThan(19 * 5 * 60);
      // Even 5 standard deviations up, 20 minutes of the execution's timeout are left for its own work.
      expect(mean + 5 * sd).toBeLessThan((definition.TimeoutSeconds as number) - 20 * 60);
    });

    it('a refresh Redshift aborted for a serializable-isolation conflict is resubmitted, and the run succeeds', async () => {
      let described = 0;
      const r = await run(results('SUCCEEDED'), {
        [STATES.getRefresh]: () =>
          ++described === 1 ? conflict(SERIALIZABLE) : { Id: 'stmt-2', Status: 'FINISHED' },
      });
      expect(r.output).toMatchObject({
        status: 'SUCCEEDED',
        views: expect.arrayContaining(['mv_top_rated_movies']),
      });
      const refreshes = r.calls.filter((c) => c.state === STATES.refreshViews);
      expect(refreshes).toHaveLength(2);
      expect(refreshes[1]!.input).toEqual(refreshes[0]!.input);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[SUCCESS, 'SUCCEEDED']]);
    });

    it.each([
      SERIALIZABLE,
      'ERROR:1023 DETAIL: Serializable isolation violation on table in Redshift',
      'ERROR: 1023',
    ])('recognizes %j as a conflict', async (error) => {
      let described = 0;
      const r = await run(results('SUCCEEDED'), {
        [STATES.getRefresh]: () =>
          ++described === 1 ? conflict(error) : { Id: 'stmt-2', Status: 'FINISHED' },
      });
      expect(r.output).toMatchObject({ status: 'SUCCEEDED' });
      expect(count(r, STATES.refreshViews)).toBe(2);
    });

    it('a refresh that conflicts more often than it may be resubmitted fails with RefreshConflict and says why', async () => {
      const r = await run(results('SUCCEEDED'), { [STATES.getRefresh]: () => conflict(SERIALIZABLE) });
      expect(r.error?.name).toBe('RefreshConflict');
      expect(parseOutcome(r.error!.cause).error).toEqual({
        state: 'Get refresh status',
        error: 'RefreshConflict',
        cause: `Redshift aborted the view refresh for a serializable-isolation conflict (ERROR 1023) with a concurrent refresh or load on every attempt: resubmitted ${REFRESH_CONFLICT.resubmits} times with backoff, it never finished. The last error: ${SERIALIZABLE}`,
      });
      expect(count(r, STATES.refreshViews)).toBe(1 + REFRESH_CONFLICT.resubmits);
      expect(states(r)).not.toContain(STATES.copyToArchive);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
    });

    it('a refresh that fails for any other reason fails at once with RefreshFailed and Redshift’s error, as before', async () => {
      const error = 'ERROR: permission denied for relation mv_top_rated_movies';
      const r = await run(results('SUCCEEDED'), { [STATES.getRefresh]: () => conflict(error) });
      expect(r.error?.name).toBe('RefreshFailed');
      expect(parseOutcome(r.error!.cause).error).toEqual({
        state: 'Get refresh status',
        error: 'RefreshFailed',
        cause: error,
      });
      expect(count(r, STATES.refreshViews)).toBe(1);
      expect(r.published.map((p) => [p.topic, p.status])).toEqual([[FAILURE, 'FAILED']]);
    });
  });
});
