/**
 * Queries through the Redshift Data API only: ExecuteStatement with named Parameters (user input
 * is never part of the SQL text), DescribeStatement polled, every page of GetStatementResult read,
 * and a deadline that ends in one clear sentence.
 */
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';

export type Row = Record<string, string | number | boolean | null>;

export class QueryError extends Error {}

export interface QueryTarget {
  readonly workgroup: string;
  readonly database: string;
  /** Database credentials in Secrets Manager (on AWS); the local twin needs none. */
  readonly secretArn?: string;
  readonly timeoutMs: number;
}

export async function runQuery(
  client: RedshiftDataClient,
  target: QueryTarget,
  sql: string,
  parameters: Record<string, string> = {},
): Promise<Row[]> {
  const deadline = Date.now() + target.timeoutMs;
  const params = Object.entries(parameters).map(([name, value]) => ({ name, value }));
  const { Id } = await client.send(
    new ExecuteStatementCommand({
      WorkgroupName: target.workgroup,
      Database: target.database,
      ...(target.secretArn ? { SecretArn: target.secretArn } : {}),
      Sql: sql,
      ...(params.length ? { Parameters: params } : {}),
    }),
  );
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    const d = await client.send(new DescribeStatementCommand({ Id }));
    if (d.Status === 'FINISHED') break;
    if (d.Status === 'FAILED' || d.Status === 'ABORTED')
      throw new QueryError(
        `The warehouse query ${d.Status === 'FAILED' ? 'failed' : 'was aborted'}${d.Error ? `: ${d.Error}` : '.'}`,
      );
    if (Date.now() > deadline) {
      // Nobody waits for it any more: stop it rather than leave it using the warehouse.
      await client.send(new CancelStatementCommand({ Id })).catch(() => undefined);
      throw new QueryError(
        `The warehouse did not answer within ${Number((target.timeoutMs / 1000).toPrecision(3))} s; try again in a moment.`,
      );
    }
    await new Promise((r) => setTimeout(r, wait));
  }
  const rows: Row[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetStatementResultCommand({ Id, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? '');
    for (const record of page.Records ?? [])
      rows.push(Object.fromEntries(record.map((f, i) => [names[i]!, value(f)])));
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
}

function value(f: Field): string | number | boolean | null {
  if (f.isNull) return null;
  return f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? null;
}
