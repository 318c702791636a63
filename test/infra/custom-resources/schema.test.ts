import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../../local-aws/twin.ts';
import { ListStatementsCommand } from '@aws-sdk/client-redshift-data';
import { createHandler, handler, type SchemaEvent } from '../../../infra/custom-resources/schema.ts';
import { DATABASE_USERS, passwordHash, schemaStatements, VIEW_NAMES } from '../../../contract/sql.ts';
import { clients, query, type Clients } from '../../local-aws/twin-client.ts';

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
async function deploy(e: SchemaEvent, h = handler): Promise<string> {
  const started = (await h(e)) as { PhysicalResourceId: string };
  for (let polls = 0; polls < 500; polls++) {
    const done = (await h({ ...e, ...started })) as { IsComplete: boolean };
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

describe('the database users, created by the schema custom resource against the twin', () => {
  const names = Object.values(DATABASE_USERS);
  const Users = names.map((Name) => ({
    Name,
    SecretArn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${Name}`,
  }));
  // Secrets Manager, as the handler reads it at run time: ARN → SecretString.
  const secrets = new Map<string, string>();
  const read: string[] = [];
  const withSecrets = createHandler({
    readSecret: async (arn) => {
      read.push(arn);
      return secrets.get(arn) ?? '';
    },
  });
  const password = (name: string, version: number): string => `${name}-Version${version}-x7`;
  const setPasswords = (version: number): void => {
    for (const u of Users)
      secrets.set(u.SecretArn, JSON.stringify({ username: u.Name, password: password(u.Name, version) }));
  };
  // The twin's warehouse: its admin is postgres, its database postgres.
  const schema = (RequestType: SchemaEvent['RequestType']): SchemaEvent => ({
    RequestType,
    ResourceProperties: {
      WorkgroupName: 'movies',
      Database: 'movies',
      Users,
      Dialect: 'postgres',
      Sqls: schemaStatements('postgres', { admin: 'postgres', database: 'postgres' }),
    },
    ...(RequestType === 'Create' ? {} : { PhysicalResourceId: 'movies-schema' }),
  });
  const stored = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        await query(
          c,
          `SELECT rolname AS name, rolpassword AS hash FROM pg_authid WHERE rolname IN (${names.map((n) => `'${n}'`).join(', ')})`,
        )
      ).map((r) => [String(r.name), String(r.hash)]),
    );
  const batches = async (): Promise<string[]> =>
    ((await c.redshift.send(new ListStatementsCommand({ MaxResults: 1000 }))).Statements ?? []).map(
      (s) => s.QueryString ?? '',
    );

  beforeAll(async () => {
    // The twin made these users when it opened its warehouse: start from a database without them.
    const { bot, loader, refresher } = DATABASE_USERS;
    await deploy(
      event('Update', [
        `DROP OWNED BY ${bot}, ${loader}, ${refresher} CASCADE`,
        `DROP USER ${bot}, ${loader}, ${refresher}`,
      ]),
    );
    expect(await stored()).toEqual({});
  });

  it('creates each user with its password from its secret, hashed, and the views owned by the refresher', async () => {
    setPasswords(1);
    read.length = 0;
    await deploy(schema('Create'), withSecrets);
    expect(read.sort()).toEqual(Users.map((u) => u.SecretArn).sort());
    expect(await stored()).toEqual(
      Object.fromEntries(names.map((n) => [n, passwordHash(n, password(n, 1))])),
    );
    const owners = await query(
      c,
      "SELECT matviewname AS name, matviewowner AS owner FROM pg_matviews WHERE matviewname LIKE 'mv\\_%' ORDER BY 1",
    );
    expect(owners).toEqual([...VIEW_NAMES].sort().map((name) => ({ name, owner: DATABASE_USERS.refresher })));
    const [privileges] = await query(
      c,
      `SELECT has_table_privilege('movies_bot', 'mv_top_rated_movies', 'SELECT')::text AS bot_view,
              has_table_privilege('movies_bot', 'movies', 'SELECT')::text AS bot_table,
              has_table_privilege('movies_loader', 'movies', 'UPDATE')::text AS loader_update,
              has_table_privilege('movies_loader', 'movies', 'DELETE')::text AS loader_delete`,
    );
    expect(privileges).toEqual({
      bot_view: 'true',
      bot_table: 'false',
      loader_update: 'true',
      loader_delete: 'false',
    });
  });

  it('runs again on the next deploy: an existing user gets its new password, not an error', async () => {
    setPasswords(2);
    await deploy(schema('Update'), withSecrets);
    expect(await stored()).toEqual(
      Object.fromEntries(names.map((n) => [n, passwordHash(n, password(n, 2))])),
    );
    const sent = await batches();
    expect(sent.filter((q) => q.startsWith('CREATE USER movies_bot '))).toHaveLength(1);
    expect(sent.filter((q) => q.startsWith('ALTER USER movies_bot '))).toHaveLength(1);
  });

  it('takes back powers a user was given by hand: each deploy leaves it exactly its job', async () => {
    await query(c, 'ALTER USER movies_bot CREATEDB CREATEROLE');
    await deploy(schema('Update'), withSecrets);
    expect(
      await query(
        c,
        "SELECT rolcreatedb::text AS db, rolcreaterole::text AS roles FROM pg_roles WHERE rolname = 'movies_bot'",
      ),
    ).toEqual([{ db: 'false', roles: 'false' }]);
  });

  it('never puts a password in the properties or the SQL the warehouse logs', async () => {
    const plain = names.flatMap((n) => [password(n, 1), password(n, 2)]);
    const properties = JSON.stringify(schema('Update'));
    const sent = (await batches()).join('\n');
    for (const p of plain) {
      expect(properties).not.toContain(p);
      expect(sent).not.toContain(p);
    }
    expect(sent).toContain(passwordHash('movies_bot', password('movies_bot', 2)));
  });

  it('fails the deploy with one sentence when a secret does not hold its user', async () => {
    const bot = Users[0]!;
    secrets.set(bot.SecretArn, JSON.stringify({ username: 'someone_else', password: 'x' }));
    const failure = await deploy(schema('Update'), withSecrets).catch((err: Error) => err);
    expect((failure as Error).message).toBe(
      `The secret ${bot.SecretArn} must hold {"username": "movies_bot", "password": "..."}.`,
    );
    expect(await stored()).toEqual(
      Object.fromEntries(names.map((n) => [n, passwordHash(n, password(n, 2))])),
    );
  });
});
