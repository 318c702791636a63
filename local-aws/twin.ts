/**
 * The local twin of the AWS side: one HTTP endpoint (S3, Step Functions, Redshift Data API,
 * SNS) in front of the pipeline's state machine — the very definition the CDK app synthesizes,
 * with its CloudFormation references resolved to local names — plus EventBridge's rule, the
 * warehouse (PGlite) and the task handlers. Unmodified AWS SDK clients work against it with
 * AWS_ENDPOINT_URL alone. Everything persists in the data directory.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from '../infra/bin/app.ts';
import { GLUE_NAMES } from '../infra/constructs/glue-etl.ts';
import { DEFAULT_PORT, LOCAL_ACCOUNT, LOCAL_BUCKET, LOCAL_REGION, LOCAL_STATE_MACHINE_ARN } from './names.ts';
import { PIPELINE_NAME, TOPIC_NAMES } from '../contract/lake.ts';
import {
  PSEUDO_PARAMETERS,
  resolveIntrinsics,
  stateMachineDefinition,
  type CfnTemplate,
  type IntrinsicResolver,
} from './asl.ts';
import { matches, objectCreatedEvent, type EventPattern } from './events.ts';
import { removeLeftoverWork } from './etl.ts';
import { pipelineHandlers } from './handlers.ts';
import { endAfterPublish, interruptedOutcome, publishedOutcome } from './interrupted.ts';
import { ApiError, jsonInput, readBody, sendJson, sendJsonError, sendXml, xmlEscape } from './http.ts';
import { ObjectStore } from './object-store.ts';
import { RedshiftDataApi } from './redshift-data-api.ts';
import { S3Api } from './s3-api.ts';
import { CERTIFICATE_PATH, Sns } from './sns.ts';
import { StepFunctions } from './stepfunctions.ts';
import { Warehouse, WarehouseOpenError } from './warehouse.ts';

/** The twin could not start (a busy port, ...): one sentence for the user. */
export class TwinStartError extends Error {}

export interface TwinOptions {
  /** Where objects, executions and the warehouse live (default .movies-local). */
  readonly dataDir?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** How long Wait states take locally, in ms (default 20). */
  readonly waitMs?: number;
  /**
   * How long each retry waits locally, in ms (default 250), whatever its interval, backoff and
   * jitter. Runs queued for the Glue job (one at a time) ask again this often: its 80 attempts
   * outlast 20 s of local loads.
   */
  readonly retryMs?: number;
  /** Publish the alerts of interrupted executions only on reportInterrupted() (once the bot listens). */
  readonly holdInterruptedAlerts?: boolean;
  /**
   * How long stop() waits for running executions and statements, in ms (default 10 000); then
   * it ends them as a crash would (the next start reports the executions it cut off).
   */
  readonly stopTimeoutMs?: number;
}

export interface Twin {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly stateMachineArn: string;
  readonly topics: { readonly success: string; readonly failure: string };
  readonly store: ObjectStore;
  readonly stepFunctions: StepFunctions;
  readonly sns: Sns;
  readonly warehouse: Warehouse;
  readonly redshift: RedshiftDataApi;
  /** Publish the failure alerts of executions a stop or crash cut off (see holdInterruptedAlerts). */
  reportInterrupted(): void;
  /** The environment an AWS SDK client or the AWS CLI needs to use the twin. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** The largest body the JSON and query APIs read: more than any of their requests can carry. */
const MAX_API_BODY = 1 << 20;
/** How the synthesized template's references become local names and ARNs. */
function localResolver(template: CfnTemplate): IntrinsicResolver {
  const arn = (service: string, resource: string): string =>
    `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  return {
    ref(id) {
      if (PSEUDO_PARAMETERS[id]) return PSEUDO_PARAMETERS[id];
      const r = template.Resources[id];
      const p = (r?.Properties ?? {}) as Record<string, unknown>;
      switch (r?.Type) {
        case 'AWS::S3::Bucket':
          return p.VersioningConfiguration ? LOCAL_BUCKET : `${LOCAL_BUCKET}-${id.toLowerCase()}`;
        case 'AWS::SNS::Topic':
          return arn('sns', String(p.TopicName));
        case 'AWS::StepFunctions::StateMachine':
          return arn('states', `stateMachine:${String(p.StateMachineName)}`);
        case 'AWS::SecretsManager::Secret':
          return arn('secretsmanager', `secret:${id}`);
        default:
          return `local-${id}`;
      }
    },
    getAtt(id, attribute) {
      const r = template.Resources[id];
      if (r?.Type === 'AWS::RedshiftServerless::Workgroup')
        return arn('redshift-serverless', 'workgroup/movies');
      if (r?.Type === 'AWS::S3::Bucket' && attribute === 'Arn') return `arn:aws:s3:::${this.ref(id)}`;
      return arn('local', `${id}/${attribute}`);
    },
  };
}

export async function startTwin(options: TwinOptions = {}): Promise<Twin> {
  const dataDir = options.dataDir ?? '.movies-local';
  mkdirSync(dataDir, { recursive: true });
  const workDir = join(dataDir, 'tmp');
  removeLeftoverWork(workDir);
  // Only the definition is needed here: no cdk-nag, no Lambda bundling, no GitHub (any repository will do).
  const context = { 'aws:cdk:bundling-stacks': [], githubRepository: 'local/movies-data' };
  const { pipeline } = buildApp(new App({ context }), {
    nag: false,
    env: {},
  });
  const template = Template.fromStack(pipeline).toJSON() as CfnTemplate;
  const resolver = localResolver(template);
  const definition = stateMachineDefinition(template, resolver);
  const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
  const job = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Glue::Job' && r.Properties?.Name === GLUE_NAMES.job,
  );
  if (!job) throw new Error(`The template has no Glue job named ${GLUE_NAMES.job}.`);
  // Glue's default when the job sets none.
  const maxConcurrentRuns = Number(
    (job.Properties!.ExecutionProperty as { MaxConcurrentRuns?: number } | undefined)?.MaxConcurrentRuns ?? 1,
  );
  const pattern = resolveIntrinsics(rule.Properties!.EventPattern, resolver) as EventPattern;
  const topics = {
    success: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${TOPIC_NAMES.success}`,
    failure: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${TOPIC_NAMES.failure}`,
  };
  const stateMachineArn = LOCAL_STATE_MACHINE_ARN;

  const store = new ObjectStore(join(dataDir, 's3'));
  store.createBucket(LOCAL_BUCKET);
  const warehouseDir = join(dataDir, 'warehouse');
  let warehouse: Warehouse;
  try {
    warehouse = await Warehouse.open(warehouseDir);
  } catch (err) {
    if (!(err instanceof WarehouseOpenError)) throw err;
    throw new TwinStartError(
      `The warehouse in ${warehouseDir} cannot be opened (${err.reason}); move ${dataDir} aside or pass another --data-dir to start with a fresh one.`,
    );
  }
  const redshift = new RedshiftDataApi(warehouse);
  const sns = new Sns(join(dataDir, 'sns'), [topics.success, topics.failure], LOCAL_REGION);
  const stepFunctions = new StepFunctions(join(dataDir, 'stepfunctions'), {
    arn: stateMachineArn,
    name: PIPELINE_NAME,
    definition,
    roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/movies-pipeline-local`,
    handlers: pipelineHandlers({
      store,
      bucket: LOCAL_BUCKET,
      warehouse,
      redshift,
      sns,
      catalogPath: join(dataDir, 'glue-catalog.json'),
      workDir,
      maxConcurrentRuns,
    }),
    waitMs: options.waitMs ?? 20,
    retryMs: options.retryMs ?? 250,
    endAfterPublish: (executionArn) => {
      const published = publishedOutcome(sns, Object.values(topics), executionArn);
      return published ? endAfterPublish(published) : undefined;
    },
  });
  const s3 = new S3Api(store, {
    objectCreated(bucket, meta, reason) {
      const event = objectCreatedEvent(bucket, meta, reason, LOCAL_REGION, LOCAL_ACCOUNT);
      if (matches(pattern, event)) stepFunctions.start(JSON.stringify(event));
    },
  });

  const server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJsonError(res, 500, 'InternalFailure', (err as Error).message, 'application/json');
      else res.destroy();
    });
  });
  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw request target, split but never normalized (a URL parser would resolve `..`).
    const [pathname = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const url = { pathname, searchParams: new URLSearchParams(query) };
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method === 'GET' && url.pathname === CERTIFICATE_PATH) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(sns.certificatePem);
      return;
    }
    // Unsigned GETs with an Action are SNS links (SubscribeURL, UnsubscribeURL) — only those, so a
    // web page cannot subscribe or publish through the twin.
    const action = req.method === 'GET' && url.pathname === '/' ? url.searchParams.get('Action') : null;
    if (action && action !== 'ConfirmSubscription' && action !== 'Unsubscribe')
      return sendXml(
        res,
        403,
        '<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>Only ConfirmSubscription and Unsubscribe links are accepted unsigned.</Message></Error></ErrorResponse>',
      );
    const service =
      req.method === 'GET' && url.pathname === '/' && url.searchParams.has('Action')
        ? 'sns'
        : serviceOf(req, target);
    if (service === 's3') return s3.handle(req, res);
    try {
      // The JSON and query APIs take small bodies (SQL up to 100 KB, messages up to 256 KB).
      const body = await readBody(req, MAX_API_BODY);
      const op = target.split('.')[1] ?? '';
      if (service === 'states')
        return sendJson(res, stepFunctions.call(op, jsonInput(body)), 'application/x-amz-json-1.0');
      if (service === 'redshift-data')
        return sendJson(res, await redshift.call(op, jsonInput(body)), 'application/x-amz-json-1.1');
      if (service === 'sns') {
        if (target) return sendJson(res, sns.handleJson(op, jsonInput(body)), 'application/x-amz-json-1.0');
        return sendXml(
          res,
          200,
          sns.handleQuery(req.method === 'GET' ? url.searchParams : new URLSearchParams(body.toString())),
        );
      }
      throw new ApiError(
        400,
        'UnknownService',
        `The local twin does not serve this request (${req.method} ${url.pathname}).`,
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (service === 'sns' && !target)
        return sendXml(
          res,
          err.status,
          `<ErrorResponse><Error><Type>Sender</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
        );
      return sendJsonError(
        res,
        err.status,
        err.code,
        err.message,
        service === 'redshift-data' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0',
      );
    }
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', resolve);
    });
  } catch (err) {
    await warehouse.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new TwinStartError(
      code === 'EADDRINUSE'
        ? `Port ${options.port ?? DEFAULT_PORT} is already in use${(options.port ?? DEFAULT_PORT) === DEFAULT_PORT ? ' (LocalStack listens there too)' : ''}; stop what uses it or pick another with --port.`
        : `The local twin could not listen: ${(err as Error).message}`,
    );
  }
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sns.setEndpoint(endpoint);
  // Executions a stop or crash cut off never sent their failure alert: the twin sends it.
  const reportInterrupted = (): void => {
    for (const record of stepFunctions.unreported()) {
      sns.publish(topics.failure, JSON.stringify(interruptedOutcome(record, LOCAL_REGION, store)), {
        status: { Type: 'String', Value: 'FAILED' },
      });
      stepFunctions.reported(record);
    }
  };
  if (!options.holdInterruptedAlerts) reportInterrupted();
  return {
    endpoint,
    region: LOCAL_REGION,
    bucket: LOCAL_BUCKET,
    stateMachineArn,
    topics,
    store,
    stepFunctions,
    sns,
    warehouse,
    redshift,
    reportInterrupted,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: LOCAL_REGION,
      // AWS CLI v1 reads only this one.
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    async stop() {
      const deadline = Date.now() + (options.stopTimeoutMs ?? 10_000);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Whatever still runs at the deadline (a runaway statement, an execution behind it) is cut off.
      await Promise.race([closed.then(() => stepFunctions.idle()).then(() => sns.flush()), late]);
      clearTimeout(timer);
      server.closeAllConnections();
      // Nobody can ask for a statement's result any more: what still runs gets only a moment.
      await warehouse.close(Math.max(0, Math.min(2000, deadline - Date.now())));
    },
  };
}

/**
 * Which service a request is for: the SigV4 credential scope, else the JSON target prefix, else
 * S3. A JSON request (it has a target) for a service the twin does not run is answered in JSON.
 */
function serviceOf(req: IncomingMessage, target: string): string {
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  if (scope && (scope[1] === 'states' || scope[1] === 'redshift-data' || scope[1] === 'sns')) return scope[1];
  if (target.startsWith('AWSStepFunctions.')) return 'states';
  if (target.startsWith('RedshiftData.')) return 'redshift-data';
  if (target.startsWith('AmazonSimpleNotificationService.')) return 'sns';
  return target ? 'unknown' : 's3';
}
