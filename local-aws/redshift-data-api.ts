/**
 * The Redshift Data API (JSON 1.1, X-Amz-Target RedshiftData.*) over the local warehouse:
 * ExecuteStatement with named parameters, BatchExecuteStatement (one transaction),
 * DescribeStatement, GetStatementResult (typed records, column metadata, paging),
 * CancelStatement and ListStatements. Statements run asynchronously, as in AWS.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, page } from './http.ts';
import { refusal } from './redshift-dialect.ts';
import { WarehouseError, type Warehouse } from './warehouse.ts';

type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';
type Field =
  | { stringValue: string }
  | { longValue: number }
  | { doubleValue: number }
  | { booleanValue: boolean }
  | { isNull: true };

interface Statement {
  Id: string;
  QueryString: string;
  Sqls?: string[];
  Status: Status;
  Error?: string;
  /** In a batch, the statement that failed (the ones before it ran, the ones after never did). */
  failedAt?: number;
  CreatedAt: number;
  UpdatedAt: number;
  Database?: string;
  WorkgroupName?: string;
  HasResultSet: boolean;
  ResultRows: number;
  columns: { name: string; typeName: string }[];
  rows: Field[][];
  /** Aborted by CancelStatement: the warehouse stops the statement, or never starts it. */
  cancel: AbortController;
}

const PAGE = 1000;

export class RedshiftDataApi {
  private readonly statements = new Map<string, Statement>();
  /** Errors the next batches fail with, in order (see failBatches). */
  private readonly batchFaults: string[] = [];

  constructor(private readonly warehouse: Warehouse) {}

  async call(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'ExecuteStatement':
        return this.submit(sized([String(required(input, 'Sql'))]), input, false);
      case 'BatchExecuteStatement':
        return this.submit(sized(sqlList(required(input, 'Sqls'))), input, true);
      case 'DescribeStatement':
        return this.describe(String(required(input, 'Id')));
      case 'GetStatementResult':
        return this.result(String(required(input, 'Id')), input.NextToken as string | undefined);
      case 'CancelStatement': {
        const s = this.get(String(required(input, 'Id')));
        const cancelled = s.Status === 'SUBMITTED' || s.Status === 'PICKED' || s.Status === 'STARTED';
        if (cancelled) {
          s.Status = 'ABORTED';
          s.UpdatedAt = Date.now() / 1000;
          s.cancel.abort();
        }
        return { Status: cancelled };
      }
      case 'ListStatements':
        return {
          Statements: [...this.statements.values()]
            .reverse()
            .slice(0, Number(input.MaxResults ?? 100))
            .map((s) => ({
              Id: s.Id,
              QueryString: s.QueryString,
              Status: s.Status,
              CreatedAt: s.CreatedAt,
              UpdatedAt: s.UpdatedAt,
              IsBatchStatement: Boolean(s.Sqls),
            })),
        };
      default:
        throw new ApiError(
          400,
          'UnknownOperationException',
          `RedshiftData.${operation} is not supported by the local twin.`,
        );
    }
  }

  /**
   * The next `times` batches fail as Redshift fails a transaction it aborts, with `message` as
   * the statement's error after Redshift's "ERROR: " (e.g. a serializable-isolation conflict with
   * a concurrent transaction, which the warehouse here, one connection, never has): the batch
   * starts, runs nothing and is rolled back; DescribeStatement reports it FAILED. For tests.
   */
  failBatches(message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.batchFaults.push(message);
  }

  /** Start statements and return at once; they run in the background. */
  submit(
    sqls: string[],
    input: Record<string, unknown>,
    batch: boolean,
  ): { Id: string; CreatedAt: number; Database?: string; WorkgroupName?: string } {
    const now = Date.now() / 1000;
    const s: Statement = {
      Id: randomUUID(),
      QueryString: sqls.join('; '),
      ...(batch ? { Sqls: sqls } : {}),
      Status: 'SUBMITTED',
      CreatedAt: now,
      UpdatedAt: now,
      ...(input.Database ? { Database: String(input.Database) } : {}),
      ...(input.WorkgroupName ? { WorkgroupName: String(input.WorkgroupName) } : {}),
      HasResultSet: false,
      ResultRows: -1,
      columns: [],
      rows: [],
      cancel: new AbortController(),
    };
    this.statements.set(s.Id, s);
    const params = (input.Parameters as { name: string; value: string }[] | undefined) ?? [];
    void this.run(s, sqls, params, batch, batch ? this.batchFaults.shift() : undefined);
    return {
      Id: s.Id,
      CreatedAt: s.CreatedAt,
      ...(s.Database ? { Database: s.Database } : {}),
      ...(s.WorkgroupName ? { WorkgroupName: s.WorkgroupName } : {}),
    };
  }

  describe(id: string): Record<string, unknown> {
    const s = this.get(id);
    return {
      Id: s.Id,
      QueryString: s.QueryString,
      Status: s.Status,
      ...(s.Error ? { Error: s.Error } : {}),
      CreatedAt: s.CreatedAt,
      UpdatedAt: s.UpdatedAt,
      Duration: Math.round((s.UpdatedAt - s.CreatedAt) * 1e9),
      HasResultSet: s.HasResultSet,
      ResultRows: s.ResultRows,
      ...(s.Database ? { Database: s.Database } : {}),
      ...(s.WorkgroupName ? { WorkgroupName: s.WorkgroupName } : {}),
      ...(s.Sqls
        ? {
            SubStatements: s.Sqls.map((q, i) => ({
              Id: `${s.Id}:${i + 1}`,
              QueryString: q,
              ...subStatus(s, i),
            })),
          }
        : {}),
    };
  }

  private result(id: string, token: string | undefined): Record<string, unknown> {
    const s = this.get(id);
    if (s.Status !== 'FINISHED')
      throw new ApiError(
        400,
        'ValidationException',
        `Statement ${id} is ${s.Status}; its result is not available.`,
      );
    if (!s.HasResultSet)
      throw new ApiError(400, 'ResourceNotFoundException', `Statement ${id} has no result set.`);
    const { items, next } = page(s.rows, PAGE, token, PAGE);
    return {
      Records: items,
      ColumnMetadata: s.columns.map((c) => ({
        name: c.name,
        label: c.name,
        typeName: c.typeName,
        nullable: 1,
      })),
      TotalNumRows: s.rows.length,
      ...(next ? { NextToken: next } : {}),
    };
  }

  private get(id: string): Statement {
    const s = this.statements.get(id);
    if (!s) throw new ApiError(400, 'ResourceNotFoundException', `Statement ${id} does not exist.`);
    return s;
  }

  private async run(
    s: Statement,
    sqls: string[],
    params: { name: string; value: string }[],
    batch: boolean,
    fault?: string,
  ): Promise<void> {
    const started = (): void => {
      if (s.Status !== 'ABORTED') s.Status = 'STARTED';
    };
    try {
      // What Redshift refuses fails the statement before anything runs, as a syntax error would.
      const refusals = sqls.map((sql) => refusal(sql));
      const refused = refusals.findIndex(Boolean);
      if (refused >= 0) {
        s.failedAt = refused;
        throw new WarehouseError(refusals[refused]!);
      }
      const statements = sqls.map((sql, i) => {
        s.failedAt = i;
        return bindNamed(sql, params);
      });
      const options = { signal: s.cancel.signal, onStart: started };
      if (fault !== undefined) {
        // In its turn, as a real batch would be.
        await this.warehouse.statements([], true, options);
        s.failedAt = 0;
        throw new WarehouseError(fault);
      }
      const r = await this.warehouse.statements(statements, batch, options);
      if (r.fields.length) {
        s.HasResultSet = true;
        s.columns = r.fields.map((f) => ({ name: f.name, typeName: typeName(f.dataTypeID) }));
        s.rows = r.rows.map((row) => row.map(field));
        s.ResultRows = s.rows.length;
      } else s.ResultRows = r.affectedRows;
      if (s.Status !== 'ABORTED') s.Status = 'FINISHED';
    } catch (err) {
      if (s.Status !== 'ABORTED') {
        s.Status = 'FAILED';
        if (err instanceof WarehouseError && err.statement !== undefined) s.failedAt = err.statement;
        s.Error = `ERROR: ${(err as Error).message}`;
      }
    }
    if (s.Status !== 'FAILED') delete s.failedAt;
    s.UpdatedAt = Date.now() / 1000;
  }
}

/** A sub-statement's status: as its batch's, except in a failed batch. */
function subStatus(s: Statement, i: number): { Status: Status; Error?: string } {
  if (s.Status !== 'FAILED' || s.failedAt === undefined) return { Status: s.Status };
  if (i < s.failedAt) return { Status: 'FINISHED' };
  if (i > s.failedAt) return { Status: 'ABORTED' };
  return { Status: 'FAILED', ...(s.Error ? { Error: s.Error } : {}) };
}

/** The Data API's limits: a statement is at most 100 KB, a batch at most 40 statements. */
const MAX_SQL_BYTES = 100 * 1024;
const MAX_BATCH = 40;

function sqlList(value: unknown): string[] {
  if (!Array.isArray(value) || !value.length || value.length > MAX_BATCH)
    throw new ApiError(400, 'ValidationException', `Sqls must be a list of 1 to ${MAX_BATCH} statements.`);
  return value.map(String);
}

function sized(sqls: string[]): string[] {
  for (const sql of sqls)
    if (Buffer.byteLength(sql) > MAX_SQL_BYTES)
      throw new ApiError(
        400,
        'ValidationException',
        `A statement is ${Buffer.byteLength(sql)} bytes; the Data API takes at most ${MAX_SQL_BYTES} (100 KB).`,
      );
  return sqls;
}

function required(input: Record<string, unknown>, name: string): unknown {
  if (input[name] === undefined) throw new ApiError(400, 'ValidationException', `${name} is required.`);
  return input[name];
}

/**
 * `:name` placeholders → `$n`, outside quotes, comments and `::` casts. Values are always bound,
 * never spliced into the SQL (as in Redshift).
 */
function bindNamed(
  sql: string,
  params: readonly { name: string; value: string }[],
): { text: string; values: string[] } {
  const order: string[] = [];
  const text = sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|::|:([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name: string | undefined) => {
      if (!name) return m;
      const param = params.find((p) => p.name === name);
      if (!param)
        throw new ApiError(
          400,
          'ValidationException',
          `The SQL uses :${name}, but no parameter of that name was given.`,
        );
      let i = order.indexOf(name);
      if (i < 0) i = order.push(name) - 1;
      return `$${i + 1}`;
    },
  );
  return { text, values: order.map((n) => params.find((p) => p.name === n)!.value) };
}

const TYPES: Record<number, string> = {
  16: 'bool',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  700: 'float4',
  701: 'float8',
  1043: 'varchar',
  1700: 'numeric',
  1114: 'timestamp',
  1184: 'timestamptz',
  1082: 'date',
};

function typeName(oid: number): string {
  return TYPES[oid] ?? 'varchar';
}

function field(v: unknown): Field {
  if (v === null || v === undefined) return { isNull: true };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'bigint') return { longValue: Number(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { longValue: v } : { doubleValue: v };
  if (v instanceof Date) return { stringValue: v.toISOString().replace('T', ' ').replace('Z', '') };
  return { stringValue: String(v) };
}
