/**
 * The outcome of one pipeline run: the execution's output, the body of every SNS message, and
 * what the Action and the bot read. Versioned; this file is its one definition.
 */
import type { RuleStatus } from '../quality/results.ts';

export const OUTCOME_VERSION = 1;

export type OutcomeStatus = 'SUCCEEDED' | 'PARTIAL' | 'QUALITY_FAILED' | 'FAILED';

/** S3 user metadata the Action sets on each upload (x-amz-meta-<key>), carried into the outcome. */
export const SOURCE_METADATA = {
  commit: 'commit',
  repository: 'repository',
  ref: 'ref',
  pullRequest: 'pull-request',
  actor: 'actor',
} as const;

/** The console page of an execution, `{}` standing for its ARN (a States.Format template). */
export function executionConsoleUrl(region: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/{}`;
}

export interface OutcomeSource {
  readonly bucket: string;
  readonly key: string;
  readonly etag?: string;
  readonly size?: number;
  readonly commit?: string;
  readonly repository?: string;
  readonly ref?: string;
  readonly pullRequest?: string;
  readonly actor?: string;
  /** The movies.mapping the drop was read through (its key), when it had one. */
  readonly mapping?: string;
}

/** Where a drop came from: the source fields the uploader sets as metadata (SOURCE_METADATA). */
export type DropOrigin = Pick<OutcomeSource, keyof typeof SOURCE_METADATA>;

export interface OutcomeRule {
  readonly name: string;
  readonly rule: string;
  readonly result: RuleStatus;
  readonly gate: boolean;
  readonly message?: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface OutcomeQuality {
  readonly score: number;
  readonly rowsProcessed: number;
  readonly rowsPassed: number;
  readonly rowsFailed: number;
  readonly rules: readonly OutcomeRule[];
  /** Names of the batch gates that failed (QUALITY_FAILED when not empty). */
  readonly gatesFailed: readonly string[];
  /** The most common reasons rows failed, with sample lines. */
  readonly reasons: readonly {
    readonly reason: string;
    readonly rows: number;
    readonly lines: readonly number[];
  }[];
}

/** What the ETL step (Glue job, or the local twin's) writes to results/<execution>.json. */
export interface EtlResults {
  readonly status: Exclude<OutcomeStatus, 'FAILED'>;
  readonly source: OutcomeSource;
  readonly quality: OutcomeQuality;
  readonly load: { readonly table: string; readonly rowsLoaded: number };
  readonly quarantine: { readonly uri: string; readonly rows: number } | null;
  /**
   * The drop as S3 CopyObject's `CopySource` for the archive step: `bucket/key`, URL-encoded
   * (copySourceOf in etl-results.ts). No intrinsic function can URL-encode, so the job does.
   */
  readonly copySource: string;
}

export interface Outcome extends Partial<Omit<EtlResults, 'status' | 'source' | 'copySource'>> {
  readonly version: typeof OUTCOME_VERSION;
  readonly status: OutcomeStatus;
  readonly source: OutcomeSource;
  readonly execution: {
    readonly arn: string;
    readonly name: string;
    readonly startedAt: string;
    readonly consoleUrl: string;
  };
  /** Materialized views refreshed after the load. */
  readonly views?: readonly string[];
  /** For FAILED: the state that failed and why. */
  readonly error?: OutcomeError;
  /**
   * Set only in a failed execution's cause: the SNS message carrying this outcome could not be
   * published (the publish state and why), so no subscriber has seen it.
   */
  readonly publishError?: OutcomeError;
}

export interface OutcomeError {
  readonly state: string;
  readonly error: string;
  readonly cause: string;
}

const STATUSES: readonly OutcomeStatus[] = ['SUCCEEDED', 'PARTIAL', 'QUALITY_FAILED', 'FAILED'];

/** JSON Schema (draft 2020-12) of the outcome, for consumers outside TypeScript. */
export const OUTCOME_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://movies-gds/outcome/v1',
  title: 'movies-gds pipeline outcome',
  type: 'object',
  required: ['version', 'status', 'source', 'execution'],
  properties: {
    version: { const: OUTCOME_VERSION },
    status: { enum: STATUSES },
    source: {
      type: 'object',
      required: ['bucket', 'key'],
      properties: Object.fromEntries(
        ['bucket', 'key', 'etag', 'commit', 'repository', 'ref', 'pullRequest', 'actor', 'mapping']
          .map((k) => [k, { type: 'string' }] as [string, object])
          .concat([['size', { type: 'number' }]]),
      ),
    },
    execution: {
      type: 'object',
      required: ['arn', 'name', 'startedAt', 'consoleUrl'],
      properties: {
        arn: { type: 'string' },
        name: { type: 'string' },
        startedAt: { type: 'string' },
        consoleUrl: { type: 'string' },
      },
    },
    quality: {
      type: 'object',
      required: ['score', 'rowsProcessed', 'rowsPassed', 'rowsFailed', 'rules', 'gatesFailed'],
      properties: {
        score: { type: 'number' },
        rowsProcessed: { type: 'integer' },
        rowsPassed: { type: 'integer' },
        rowsFailed: { type: 'integer' },
        gatesFailed: { type: 'array', items: { type: 'string' } },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'rule', 'result', 'gate', 'metrics'],
            properties: {
              name: { type: 'string' },
              rule: { type: 'string' },
              result: { enum: ['PASS', 'FAIL', 'ERROR'] },
              gate: { type: 'boolean' },
              message: { type: 'string' },
              // null for a metric JSON cannot write (NaN, of a rule over no rows)
              metrics: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
            },
          },
        },
        reasons: {
          type: 'array',
          items: {
            type: 'object',
            required: ['reason', 'rows', 'lines'],
            properties: {
              reason: { type: 'string' },
              rows: { type: 'integer' },
              lines: { type: 'array', items: { type: 'integer' } },
            },
          },
        },
      },
    },
    load: {
      type: 'object',
      required: ['table', 'rowsLoaded'],
      properties: { table: { type: 'string' }, rowsLoaded: { type: 'integer' } },
    },
    quarantine: {
      type: ['object', 'null'],
      required: ['uri', 'rows'],
      properties: { uri: { type: 'string' }, rows: { type: 'integer' } },
    },
    views: { type: 'array', items: { type: 'string' } },
    error: { $ref: '#/$defs/error' },
    publishError: { $ref: '#/$defs/error' },
  },
  $defs: {
    error: {
      type: 'object',
      required: ['state', 'error', 'cause'],
      properties: { state: { type: 'string' }, error: { type: 'string' }, cause: { type: 'string' } },
    },
  },
} as const;

/**
 * How parseOutcome checks each field any reader renders: a JSON type, a check of its own (one of
 * some strings, a list, ...), or a shape, whose `name?` fields may be left out. Fields not named
 * are let through: a newer writer may add some.
 */
type Spec = keyof typeof TYPE_NAMES | Check | { readonly [field: string]: Spec };
type Check = (value: unknown, path: string) => void;

const TYPE_NAMES = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
};

function fail(path: string, what: string): never {
  throw new Error(`The pipeline outcome's ${path} ${what}.`);
}

function check(value: unknown, spec: Spec, path: string): void {
  if (typeof spec === 'function') return spec(value, path);
  if (typeof spec === 'string') {
    if (spec === 'integer' ? !Number.isInteger(value) : typeof value !== spec)
      fail(path, `is not ${TYPE_NAMES[spec]}`);
    return;
  }
  if (!isObject(value)) fail(path, 'is not an object');
  for (const [field, s] of Object.entries(spec)) {
    const name = field.replace(/\?$/, '');
    const at = path ? `${path}.${name}` : name;
    if (value[name] !== undefined) check(value[name], s, at);
    else if (!field.endsWith('?')) fail(at, 'is missing');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const oneOf =
  (...names: string[]): Check =>
  (value, path) => {
    if (!names.includes(value as string))
      fail(path, `is not ${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`);
  };
const listOf =
  (spec: Spec): Check =>
  (value, path) => {
    if (!Array.isArray(value)) fail(path, 'is not a list');
    value.forEach((v, i) => check(v, spec, `${path}[${i}]`));
  };
/** An object of any keys, each value as `spec` says. */
const valuesOf =
  (spec: Spec): Check =>
  (value, path) => {
    if (!isObject(value)) fail(path, 'is not an object');
    for (const [k, v] of Object.entries(value)) check(v, spec, `${path}[${JSON.stringify(k)}]`);
  };
const orNull =
  (spec: Spec): Check =>
  (value, path) => {
    if (value !== null) check(value, spec, path);
  };

const ERROR_SPEC: Spec = { state: 'string', error: 'string', cause: 'string' };

/** OUTCOME_SCHEMA as parseOutcome checks it (version and status first, in sentences of their own). */
const OUTCOME_SPEC: Spec = {
  source: {
    bucket: 'string',
    key: 'string',
    'etag?': 'string',
    'size?': 'number',
    ...Object.fromEntries(Object.keys(SOURCE_METADATA).map((f) => [`${f}?`, 'string' as const])),
  },
  execution: { arn: 'string', name: 'string', startedAt: 'string', consoleUrl: 'string' },
  'quality?': {
    score: 'number',
    rowsProcessed: 'integer',
    rowsPassed: 'integer',
    rowsFailed: 'integer',
    rules: listOf({
      name: 'string',
      rule: 'string',
      result: oneOf('PASS', 'FAIL', 'ERROR'),
      gate: 'boolean',
      'message?': 'string',
      // A metric JSON cannot write (NaN, of a rule over no rows) is null, from either engine.
      metrics: valuesOf(orNull('number')),
    }),
    gatesFailed: listOf('string'),
    'reasons?': listOf({ reason: 'string', rows: 'integer', lines: listOf('integer') }),
  },
  'load?': { table: 'string', rowsLoaded: 'integer' },
  'quarantine?': orNull({ uri: 'string', rows: 'integer' }),
  'views?': listOf('string'),
  'error?': ERROR_SPEC,
  'publishError?': ERROR_SPEC,
};

/** Parse an outcome from JSON text, or say (in one sentence) why it is not one. */
export function parseOutcome(text: string): Outcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('The pipeline outcome is not JSON.');
  }
  const o = value as Partial<Outcome> | null;
  if (!isObject(o)) throw new Error('The pipeline outcome is not a JSON object.');
  if (o.version !== OUTCOME_VERSION)
    throw new Error(
      `The pipeline outcome has version ${String(o.version)}; this reader knows version ${OUTCOME_VERSION}.`,
    );
  if (!STATUSES.includes(o.status as OutcomeStatus))
    throw new Error(`The pipeline outcome has an unknown status ${JSON.stringify(o.status)}.`);
  check(o, OUTCOME_SPEC, '');
  return o as Outcome;
}
