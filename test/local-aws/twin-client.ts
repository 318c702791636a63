/** SDK clients against a local twin, and small helpers the end-to-end tests share. */
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';

export interface Clients {
  s3: S3Client;
  sfn: SFNClient;
  redshift: RedshiftDataClient;
}

export function clients(endpoint: string, region: string): Clients {
  const config = { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return { s3: new S3Client(config), sfn: new SFNClient(config), redshift: new RedshiftDataClient(config) };
}

export async function drop(
  c: Clients,
  bucket: string,
  key: string,
  body: Buffer | string,
  metadata: Record<string, string> = {},
): Promise<string> {
  const r = await c.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'text/csv',
      Metadata: metadata,
    }),
  );
  return r.ETag!.replace(/"/g, '');
}

/** The execution EventBridge started for this object, once it has finished. */
export async function finishedExecution(
  c: Clients,
  stateMachineArn: string,
  key: string,
  etag: string,
  timeoutMs = 60_000,
): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await c.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
    for (const e of list.executions ?? []) {
      const d = await c.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      const input = JSON.parse(d.input ?? '{}') as { detail?: { object?: { key?: string; etag?: string } } };
      if (input.detail?.object?.key === key && input.detail.object.etag === etag && d.status !== 'RUNNING')
        return d;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no finished execution for ${key} within ${timeoutMs} ms`);
}

export async function query(
  c: Clients,
  sql: string,
  parameters: { name: string; value: string }[] = [],
): Promise<Record<string, string | number | boolean | null>[]> {
  const { Id } = await c.redshift.send(
    new ExecuteStatementCommand({
      WorkgroupName: 'movies',
      Database: 'movies',
      Sql: sql,
      ...(parameters.length ? { Parameters: parameters } : {}),
    }),
  );
  for (;;) {
    const d = await c.redshift.send(new DescribeStatementCommand({ Id }));
    if (d.Status === 'FINISHED' && d.HasResultSet === false) return []; // a statement without rows
    if (d.Status === 'FINISHED') break;
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') throw new Error(d.Error);
    await new Promise((r) => setTimeout(r, 10));
  }
  const r = await c.redshift.send(new GetStatementResultCommand({ Id }));
  const names = (r.ColumnMetadata ?? []).map((m) => m.name!);
  return (r.Records ?? []).map((rec) =>
    Object.fromEntries(
      rec.map((f, i) => [
        names[i]!,
        f.isNull ? null : (f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? null),
      ]),
    ),
  );
}
