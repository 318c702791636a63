/**
 * parseOutcome: a message that parses is one every reader can render; anything else is refused in
 * one sentence naming the field.
 */
import { describe, expect, it } from '@jest/globals';
import { parseOutcome } from '../../contract/outcome.ts';

/** A PARTIAL run's outcome, as the state machine publishes it. */
const full = (): Record<string, unknown> => ({
  version: 1,
  status: 'PARTIAL',
  source: {
    bucket: 'movies-gds',
    key: 'input_data/a.csv',
    etag: 'abc',
    size: 120,
    commit: '0123456789abcdef',
    repository: 'o/r',
    ref: 'refs/heads/main',
    pullRequest: '7',
    actor: 'ana',
  },
  execution: {
    arn: 'arn:aws:states:us-east-1:123456789012:execution:p:run-1',
    name: 'run-1',
    startedAt: '2024-01-01T00:00:00.000Z',
    consoleUrl: 'https://us-east-1.console.aws.amazon.com/states/home',
  },
  quality: {
    score: 0.5,
    rowsProcessed: 3,
    rowsPassed: 2,
    rowsFailed: 1,
    rules: [
      {
        name: 'Rule_1',
        rule: 'RowCount > 0',
        result: 'PASS',
        gate: true,
        metrics: { 'Dataset.*.RowCount': 3 },
      },
      {
        name: 'Rule_2',
        rule: 'IsComplete "title"',
        result: 'FAIL',
        gate: false,
        message: 'Value: 0.66',
        // NaN, as JSON writes it
        metrics: { 'Column.title.Completeness': 0.666, 'Column.rating.StandardDeviation': null },
      },
    ],
    gatesFailed: [],
    reasons: [{ reason: 'title is empty', rows: 1, lines: [3] }],
  },
  load: { table: 'public.movies', rowsLoaded: 2 },
  quarantine: { uri: 's3://movies-gds/quarantine/run-1/rows.csv', rows: 1 },
  views: ['public.movies_by_year'],
  copySource: 'movies-gds/input_data/a.csv',
});

/** `full()` with the value at `path` (dots and [i]) set, or deleted when `value` is undefined. */
function withField(path: string, value: unknown): string {
  const o = full();
  const keys = path.split(/\.|\[(\d+)\]/).filter(Boolean);
  let at = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return JSON.stringify(o);
}

describe('parseOutcome', () => {
  it('reads a full outcome, a failed one, and one with nothing quarantined', () => {
    expect(parseOutcome(JSON.stringify(full()))).toEqual(full());
    const failed = {
      version: 1,
      status: 'FAILED',
      source: { bucket: 'b', key: 'k', etag: 'e', size: 1 },
      execution: { arn: 'a', name: 'n', startedAt: 's', consoleUrl: 'c' },
      error: { state: 'Run ETL', error: 'Glue.Failed', cause: 'out of memory' },
      publishError: { state: 'Publish failure alert', error: 'SNS.Throttled', cause: 'slow down' },
    };
    expect(parseOutcome(JSON.stringify(failed))).toEqual(failed);
    expect(parseOutcome(withField('quarantine', null)).quarantine).toBeNull();
    expect(parseOutcome(withField('quality.reasons', undefined)).quality?.reasons).toBeUndefined();
  });

  it('refuses what is not an outcome of this version', () => {
    expect(() => parseOutcome('nope')).toThrow('The pipeline outcome is not JSON.');
    expect(() => parseOutcome('[1]')).toThrow('The pipeline outcome is not a JSON object.');
    expect(() => parseOutcome(withField('version', 2))).toThrow(
      'The pipeline outcome has version 2; this reader knows version 1.',
    );
    expect(() => parseOutcome(withField('status', 'DONE'))).toThrow(
      'The pipeline outcome has an unknown status "DONE".',
    );
  });

  it('refuses the message that made the alert throw: an execution without its name', () => {
    const text = JSON.stringify({
      version: 1,
      status: 'FAILED',
      source: { bucket: 'b', key: 'k' },
      execution: { arn: 'a' },
    });
    expect(() => parseOutcome(text)).toThrow("The pipeline outcome's execution.name is missing.");
  });

  it.each([
    // missing fields
    ['source', undefined, 'source is missing'],
    ['source.key', undefined, 'source.key is missing'],
    ['execution.consoleUrl', undefined, 'execution.consoleUrl is missing'],
    ['quality.rules[1].metrics', undefined, 'quality.rules[1].metrics is missing'],
    ['load.rowsLoaded', undefined, 'load.rowsLoaded is missing'],
    // not objects or lists
    ['execution', 'run-1', 'execution is not an object'],
    ['quality', [], 'quality is not an object'],
    ['quality.rules', {}, 'quality.rules is not a list'],
    ['quality.rules[0]', 'RowCount > 0', 'quality.rules[0] is not an object'],
    ['quality.rules[0].metrics', [1], 'quality.rules[0].metrics is not an object'],
    ['quarantine', 's3://b/k', 'quarantine is not an object'],
    ['views', 'public.movies_by_year', 'views is not a list'],
    // strings
    ['source.bucket', 1, 'source.bucket is not a string'],
    ['source.actor', { name: 'ana' }, 'source.actor is not a string'],
    ['source.commit', 123, 'source.commit is not a string'],
    ['execution.startedAt', 0, 'execution.startedAt is not a string'],
    ['quality.rules[1].rule', null, 'quality.rules[1].rule is not a string'],
    ['quality.rules[1].message', 3, 'quality.rules[1].message is not a string'],
    ['quality.gatesFailed[0]', 1, 'quality.gatesFailed[0] is not a string'],
    ['quality.reasons[0].reason', ['<!here>'], 'quality.reasons[0].reason is not a string'],
    ['load.table', 7, 'load.table is not a string'],
    ['quarantine.uri', 7, 'quarantine.uri is not a string'],
    ['views[0]', 7, 'views[0] is not a string'],
    // numbers and integers
    ['source.size', '120', 'source.size is not a number'],
    ['quality.score', '<!channel>', 'quality.score is not a number'],
    ['quality.rowsFailed', 1.5, 'quality.rowsFailed is not an integer'],
    ['load.rowsLoaded', '<!channel>', 'load.rowsLoaded is not an integer'],
    ['quarantine.rows', '<!here>', 'quarantine.rows is not an integer'],
    ['quality.reasons[0].rows', '<@U0ADMIN>', 'quality.reasons[0].rows is not an integer'],
    [
      'quality.reasons[0].lines',
      ['<https://evil.example|click me>'],
      'quality.reasons[0].lines[0] is not an integer',
    ],
    [
      'quality.rules[1].metrics',
      { 'Column.title.Completeness': '<!channel>' },
      'quality.rules[1].metrics["Column.title.Completeness"] is not a number',
    ],
    // enumerations and booleans
    ['quality.rules[1].result', '<!everyone>', 'quality.rules[1].result is not PASS, FAIL or ERROR'],
    ['quality.rules[0].gate', 'yes', 'quality.rules[0].gate is not true or false'],
  ])('refuses %s set to %j', (path, value, why) => {
    expect(() => parseOutcome(withField(path, value))).toThrow(`The pipeline outcome's ${why}.`);
  });

  it.each([['error'], ['publishError']])(
    'refuses a %s without its cause, or with a cause not text',
    (field) => {
      const failed = (cause: unknown): string =>
        JSON.stringify({ ...full(), status: 'FAILED', [field]: { state: 's', error: 'e', cause } });
      expect(() => parseOutcome(failed(undefined))).toThrow(
        `The pipeline outcome's ${field}.cause is missing.`,
      );
      expect(() => parseOutcome(failed({ m: 1 }))).toThrow(
        `The pipeline outcome's ${field}.cause is not a string.`,
      );
      expect(() => parseOutcome(JSON.stringify({ ...full(), status: 'FAILED', [field]: 'boom' }))).toThrow(
        `The pipeline outcome's ${field} is not an object.`,
      );
    },
  );
});
