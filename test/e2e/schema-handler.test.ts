import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../infra/local/twin.ts';
import { handler, type SchemaEvent } from '../../infra/schema/handler.ts';
import { clients, query, type Clients } from './twin-client.ts';

let dir: string;
let twin: Twin;
let c: Clients;
const saved = { ...process.env };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'movies-schema-'));
  twin = await startTwin({ dataDir: dir, port: 0 });
  c = clients(twin.endpoint, twin.region);
  // The handler makes its client from the environment, as on Lambda.
  Object.assign(process.env, twin.env);
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const event = (RequestType: SchemaEvent['RequestType'], Sqls: string[]): SchemaEvent => ({
  RequestType,
  ResourceProperties: { WorkgroupName: 'movies', Database: 'movies', Sqls },
  ...(RequestType === 'Create' ? {} : { PhysicalResourceId: 'movies-schema' }),
});

/** As CDK's provider framework does: onEvent, then isComplete (with what onEvent returned) until done. */
async function deploy(e: SchemaEvent): Promise<string> {
  const started = (await handler(e)) as { PhysicalResourceId: string };
  for (let polls = 0; polls < 500; polls++) {
    const done = (await handler({ ...e, ...started })) as { IsComplete: boolean };
    if (done.IsComplete) return started.PhysicalResourceId;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('isComplete never completed');
}

const tables = async (): Promise<string[]> =>
  (
    await query(
      c,
      "SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'probe%' UNION SELECT matviewname FROM pg_matviews WHERE matviewname LIKE 'probe%' ORDER BY 1",
    )
  ).map((r) => String(r.t));

describe('the schema custom resource, against the twin’s Redshift Data API', () => {
  const schema = [
    'CREATE TABLE IF NOT EXISTS probe (id int)',
    'DROP MATERIALIZED VIEW IF EXISTS probe_count',
    'CREATE MATERIALIZED VIEW probe_count AS SELECT count(*) AS n FROM probe',
  ];

  it('creates the schema and completes only once the statements have run; an update runs them again', async () => {
    expect(await deploy(event('Create', schema))).toBe('movies-schema');
    expect(await tables()).toEqual(['probe', 'probe_count']);
    expect(await deploy(event('Update', schema))).toBe('movies-schema');
    expect(await tables()).toEqual(['probe', 'probe_count']);
  });

  it('fails the deploy with the failing statement and Redshift’s error, and keeps nothing of the batch', async () => {
    const broken = [
      'CREATE TABLE probe_first (id int)',
      'CREATE TABLE probe_broken (',
      'CREATE TABLE probe_last (id int)',
    ];
    const failure = await deploy(event('Update', broken)).catch((err: Error) => err);
    const sentence =
      /^The warehouse schema was not created: statement 2 of 3 failed: ERROR: syntax error.*\. Nothing of the batch was kept\.$/;
    expect((failure as Error).message).toMatch(sentence);
    // What CloudFormation shows (the provider framework sends the stack): the sentence, no frames.
    expect((failure as Error).stack).toMatch(sentence);
    expect(await tables()).toEqual(['probe', 'probe_count']);
  });

  it('leaves the schema, and the data in it, when the stack is deleted', async () => {
    expect(await deploy(event('Delete', ['DROP TABLE probe CASCADE']))).toBe('movies-schema');
    expect(await tables()).toEqual(['probe', 'probe_count']);
  });
});
