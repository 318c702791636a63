/**
 * The warehouse schema on deploy, as a CloudFormation custom resource (CDK's Provider framework):
 * onEvent starts the schema statements as one Data API batch (one transaction), isComplete polls
 * it until Redshift has run it. A failing statement fails the deploy with Redshift's own error,
 * rather than the deploy passing with no table.
 *
 * The database users come first in the batch: onEvent reads each one's password from its secret,
 * asks the workgroup which users exist, and creates the others or re-sets the password of those
 * that do. Passwords never appear in the resource's properties, and the SQL (and so Redshift's
 * query log) holds them only hashed.
 *
 * One function serves both steps: the Data API lets a caller read only its own statements, and
 * on Lambda the caller's identity is per function.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { existingUsersSql, userStatements, type Dialect } from '../../contract/sql.ts';

export interface SchemaProperties {
  readonly WorkgroupName: string;
  readonly Database: string;
  /** Admin credentials; absent on the local twin, which needs none. */
  readonly SecretArn?: string;
  /** Database users to create (or re-key) before the statements, each with the secret holding its password. */
  readonly Users?: readonly { readonly Name: string; readonly SecretArn: string }[];
  readonly Sqls: readonly string[];
  /** The SQL dialect of the warehouse: Redshift, or the twin's PostgreSQL. */
  readonly Dialect?: Dialect;
}

export interface SchemaEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: SchemaProperties;
  /** What onEvent returned, which the framework passes on to isComplete. */
  readonly Started?: true;
  readonly StatementId?: string;
}

type Started = { PhysicalResourceId: string; Started: true; StatementId?: string };

export interface SchemaHandlerDeps {
  readonly redshift?: RedshiftDataClient;
  /** A secret's SecretString; by default read from Secrets Manager. */
  readonly readSecret?: (arn: string) => Promise<string>;
  /** How long onEvent waits for the list of existing users. */
  readonly probeTimeoutMs?: number;
}

const SCHEMA_RESOURCE_ID = 'movies-schema';

/** A handler; `deps` lets tests stand in for Secrets Manager. */
export function createHandler(
  deps: SchemaHandlerDeps = {},
): (event: SchemaEvent) => Promise<Started | { IsComplete: boolean }> {
  let redshift = deps.redshift;
  let secretsManager: SecretsManagerClient | undefined;
  const readSecret =
    deps.readSecret ??
    (async (arn: string): Promise<string> => {
      secretsManager ??= new SecretsManagerClient({});
      const r = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
      return r.SecretString ?? '';
    });
  const probeTimeoutMs = deps.probeTimeoutMs ?? 4 * 60_000;
  return async (event) => {
    redshift ??= new RedshiftDataClient({});
    return event.Started ? isComplete(event, redshift) : onEvent(event, redshift, readSecret, probeTimeoutMs);
  };
}

/** The Lambda entry point for both steps: a call carrying onEvent's result is isComplete's. */
export const handler = createHandler();

/** Create and Update run the statements (all re-runnable); Delete runs nothing: no deploy drops data. */
async function onEvent(
  event: SchemaEvent,
  client: RedshiftDataClient,
  readSecret: (arn: string) => Promise<string>,
  probeTimeoutMs: number,
): Promise<Started> {
  if (event.RequestType === 'Delete')
    return { PhysicalResourceId: event.PhysicalResourceId ?? SCHEMA_RESOURCE_ID, Started: true };
  const {
    WorkgroupName,
    Database,
    SecretArn,
    Users = [],
    Sqls,
    Dialect = 'redshift',
  } = event.ResourceProperties;
  const target = { WorkgroupName, Database, ...(SecretArn ? { SecretArn } : {}) };
  const users = await Promise.all(Users.map((u) => userPassword(u, readSecret)));
  const existing = users.length
    ? await existingUsers(client, target, existingUsersSql(users.map((u) => u.name)), probeTimeoutMs)
    : new Set<string>();
  const { Id } = await client.send(
    new BatchExecuteStatementCommand({
      ...target,
      Sqls: [...userStatements(Dialect, users, existing), ...Sqls],
    }),
  );
  return { PhysicalResourceId: SCHEMA_RESOURCE_ID, Started: true, StatementId: Id! };
}

/** A user's password from its secret ({"username", "password"}), which must name that user. */
async function userPassword(
  user: { readonly Name: string; readonly SecretArn: string },
  readSecret: (arn: string) => Promise<string>,
): Promise<{ name: string; password: string }> {
  let value: { username?: unknown; password?: unknown } = {};
  try {
    value = JSON.parse(await readSecret(user.SecretArn)) as typeof value;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  if (value.username !== user.Name || typeof value.password !== 'string' || !value.password)
    throw sentence(`The secret ${user.SecretArn} must hold {"username": "${user.Name}", "password": "..."}.`);
  return { name: user.Name, password: value.password };
}

/** Which users exist: one query, waited for (the batch that follows depends on it). */
async function existingUsers(
  client: RedshiftDataClient,
  target: { WorkgroupName: string; Database: string; SecretArn?: string },
  sql: string,
  timeoutMs: number,
): Promise<Set<string>> {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: sql }));
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    const s = await client.send(new DescribeStatementCommand({ Id }));
    if (s.Status === 'FINISHED') break;
    if (s.Status === 'FAILED' || s.Status === 'ABORTED')
      throw sentence(
        `The warehouse schema was not created: listing the database users ${s.Status === 'FAILED' ? 'failed' : 'was aborted'}${s.Error ? `: ${s.Error}` : ''}.`,
      );
    if (Date.now() > deadline)
      throw sentence(
        `The warehouse schema was not created: the workgroup did not list its users within ${Math.round(timeoutMs / 1000)} s.`,
      );
    await new Promise((r) => setTimeout(r, wait));
  }
  const names = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetStatementResultCommand({ Id, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const record of page.Records ?? []) if (record[0]?.stringValue) names.add(record[0].stringValue);
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

async function isComplete(event: SchemaEvent, client: RedshiftDataClient): Promise<{ IsComplete: boolean }> {
  if (!event.StatementId) return { IsComplete: true }; // a delete: nothing ran
  const s = await client.send(new DescribeStatementCommand({ Id: event.StatementId }));
  if (s.Status === 'FINISHED') return { IsComplete: true };
  if (s.Status === 'FAILED' || s.Status === 'ABORTED') {
    // The statement that failed; the ones after it were aborted with the batch.
    const subs = s.SubStatements ?? [];
    const failed = subs.findIndex((x) => x.Status === 'FAILED');
    const i = failed >= 0 ? failed : subs.findIndex((x) => x.Status === 'ABORTED');
    const which = i >= 0 ? `statement ${i + 1} of ${subs.length}` : 'the batch';
    const reason = subs[i]?.Error ?? s.Error;
    throw sentence(
      `The warehouse schema was not created: ${which} ${s.Status === 'ABORTED' ? 'was aborted' : 'failed'}` +
        `${reason ? `: ${reason}` : ''}. Nothing of the batch was kept.`,
    );
  }
  return { IsComplete: false };
}

/** CloudFormation shows what the provider framework sends, stack included: the sentence alone. */
function sentence(message: string): Error {
  const error = new Error(message);
  error.stack = error.message;
  return error;
}
