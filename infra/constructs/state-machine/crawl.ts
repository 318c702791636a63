/**
 * The first phase: describe the drop from its S3 event, then crawl it and the warehouse table.
 * Each crawler is started (already running is fine), then polled until READY, within a deadline.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { STATES, type Failures, type Phase } from './shared.ts';

export const POLL_SECONDS = 15;

export interface CrawlProps {
  readonly inputCrawlerName: string;
  readonly warehouseCrawlerName: string;
  readonly crawlerTimeout: Duration;
}

export function crawlPhase(scope: Construct, failures: Failures, props: CrawlProps): Phase {
  // EventBridge's S3 events carry the key raw (S3's notifications to SQS/SNS/Lambda URL-encode
  // it): it is passed on as is; only CopySource needs encoding, which the ETL step does.
  const describe = new sfn.Pass(scope, STATES.describeDrop, {
    parameters: {
      bucket: sfn.JsonPath.stringAt('$.detail.bucket.name'),
      key: sfn.JsonPath.stringAt('$.detail.object.key'),
      etag: sfn.JsonPath.stringAt('$.detail.object.etag'),
      size: sfn.JsonPath.numberAt('$.detail.object.size'),
    },
    resultPath: '$.drop',
  });
  const input = crawler(scope, failures, props, 'input', props.inputCrawlerName, {
    start: STATES.startInputCrawler,
    get: STATES.getInputCrawler,
  });
  const warehouse = crawler(scope, failures, props, 'warehouse', props.warehouseCrawlerName, {
    start: STATES.startWarehouseCrawler,
    get: STATES.getWarehouseCrawler,
  });
  input.done.otherwise(warehouse.start);
  describe.next(input.start);
  const then = (next: sfn.IChainable): void => {
    warehouse.done.otherwise(next);
  };
  return { start: describe, then };
}

/** One crawler's start and poll loop; `done` goes on (otherwise) once it is READY. */
function crawler(
  scope: Construct,
  failures: Failures,
  props: CrawlProps,
  label: 'input' | 'warehouse',
  crawlerName: string,
  names: { start: string; get: string },
): { start: sfn.IChainable; done: sfn.Choice } {
  const { guard, failWith } = failures;
  const crawlerArn = Stack.of(scope).formatArn({
    service: 'glue',
    resource: 'crawler',
    resourceName: crawlerName,
  });
  const start = guard(
    new tasks.CallAwsService(scope, names.start, {
      service: 'glue',
      action: 'startCrawler',
      parameters: { Name: crawlerName },
      iamResources: [crawlerArn],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    }),
  );
  const resetPolls = new sfn.Pass(scope, `Reset ${label} crawler polls`, {
    result: sfn.Result.fromObject({ n: 0 }),
    resultPath: '$.polls',
  });
  const wait = new sfn.Wait(scope, `Wait for ${label} crawler`, {
    time: sfn.WaitTime.duration(Duration.seconds(POLL_SECONDS)),
  });
  const get = guard(
    new tasks.CallAwsService(scope, names.get, {
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
  const count = new sfn.Pass(scope, `Count ${label} crawler polls`, {
    parameters: { n: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.n'), 1) },
    resultPath: '$.polls',
  });
  const maxPolls = Math.ceil(props.crawlerTimeout.toSeconds() / POLL_SECONDS);
  const done = new sfn.Choice(scope, `${label[0]!.toUpperCase()}${label.slice(1)} crawler finished?`);
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
      sfn.Condition.and(lastCrawlFailed, sfn.Condition.isPresent('$.crawler.crawler.LastCrawl.ErrorMessage')),
      failWith(
        `The ${label} crawler failed`,
        names.get,
        'CrawlerFailed',
        sfn.JsonPath.stringAt('$.crawler.crawler.LastCrawl.ErrorMessage'),
      ),
    )
    .when(
      lastCrawlFailed,
      failWith(
        `The ${label} crawler failed silently`,
        names.get,
        'CrawlerFailed',
        `The ${crawlerName} crawler's last crawl failed.`,
      ),
    )
    // A cancelled crawl is no success: the catalog may not describe this drop yet.
    .when(
      lastCrawl('CANCELLED'),
      failWith(
        `The ${label} crawl was cancelled`,
        names.get,
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
        names.get,
        'CrawlerTimeout',
        `The ${crawlerName} crawler did not finish within ${props.crawlerTimeout.toMinutes()} minutes.`,
      ),
    )
    .when(sfn.Condition.not(sfn.Condition.stringEquals('$.crawler.state', 'READY')), wait);
  return { start, done };
}
