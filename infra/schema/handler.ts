/**
 * The warehouse schema on deploy, as a CloudFormation custom resource (CDK's Provider framework):
 * onEvent starts the schema statements as one Data API batch (one transaction), isComplete polls
 * it until Redshift has run it. A failing statement fails the deploy with Redshift's own error,
 * rather than the deploy passing with no table.
 *
 * One function serves both steps: the Data API lets a caller read only its own statements, and
 * on Lambda the caller's identity is per function.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';

export interface SchemaProperties {
  readonly WorkgroupName: string;
  readonly Database: string;
  /** Admin credentials; absent on the local twin, which needs none. */
  readonly SecretArn?: string;
  readonly Sqls: readonly string[];
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

const SCHEMA_RESOURCE_ID = 'movies-schema';

let redshift: RedshiftDataClient | undefined;

/** The Lambda entry point for both steps: a call carrying onEvent's result is isComplete's. */
export async function handler(event: SchemaEvent): Promise<Started | { IsComplete: boolean }> {
  redshift ??= new RedshiftDataClient({});
  return event.Started ? isComplete(event, redshift) : onEvent(event, redshift);
}

/** Create and Update run the statements (all re-runnable); Delete runs nothing: no deploy drops data. */
async function onEvent(event: SchemaEvent, client: RedshiftDataClient): Promise<Started> {
  if (event.RequestType === 'Delete')
    return { PhysicalResourceId: event.PhysicalResourceId ?? SCHEMA_RESOURCE_ID, Started: true };
  const { WorkgroupName, Database, SecretArn, Sqls } = event.ResourceProperties;
  const { Id } = await client.send(
    new BatchExecuteStatementCommand({
      WorkgroupName,
      Database,
      ...(SecretArn ? { SecretArn } : {}),
      Sqls: [...Sqls],
    }),
  );
  return { PhysicalResourceId: SCHEMA_RESOURCE_ID, Started: true, StatementId: Id! };
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
    const error = new Error(
      `The warehouse schema was not created: ${which} ${s.Status === 'ABORTED' ? 'was aborted' : 'failed'}` +
        `${reason ? `: ${reason}` : ''}. Nothing of the batch was kept.`,
    );
    // CloudFormation shows what the provider framework sends, stack included: the sentence alone.
    error.stack = error.message;
    throw error;
  }
  return { IsComplete: false };
}
