/**
 * The warehouse's database, in the thread that owns it (warehouse-worker.ts): embedded PostgreSQL
 * (PGlite) and what each operation of warehouse-protocol.ts does to it.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { INPUT_COLUMNS, PRIMARY_KEY, TABLE_NAME, updatedColumns } from '../contract/contract.ts';
import {
  createTableSql,
  DATABASE_USERS,
  existingUsersSql,
  privilegeStatements,
  userStatements,
  viewStatements,
  VIEW_NAMES,
  type SchemaOptions,
} from '../contract/sql.ts';
import type { Answers, Operation, Rows } from './warehouse-protocol.ts';

/** Canonical columns of good.csv, in order (the contract's, then primary_genre). */
export const LOAD_COLUMNS = [...INPUT_COLUMNS.map((c) => c.name), 'primary_genre'];

/**
 * Opens the warehouse with the same table DDL, view bodies, database users and privileges as
 * Redshift (contract/sql.ts) and real materialized views, owned by the refresher as in Redshift.
 */
export async function openDatabase(dir: string | undefined): Promise<PGlite> {
  if (dir) mkdirSync(dir, { recursive: true });
  const db = dir ? new PGlite(dir) : new PGlite();
  await db.waitReady;
  const r = await db.query<SchemaOptions>('SELECT current_user AS admin, current_database() AS database');
  const options = r.rows[0]!;
  admins.set(db, options.admin);
  await db.exec(createTableSql());
  await ensureUsers(db, options);
  await ensureViews(db, options);
  return db;
}

/**
 * The database users and what each may do, as the schema resource makes them in Redshift. Nobody
 * logs in to PGlite: each user gets a fresh random password at every start.
 */
async function ensureUsers(db: PGlite, options: SchemaOptions): Promise<void> {
  const names = Object.values(DATABASE_USERS);
  const r = await db.query<{ usename: string }>(existingUsersSql(names));
  const existing = new Set(r.rows.map((x) => x.usename));
  const users = names.map((name) => ({ name, password: randomBytes(24).toString('base64url') }));
  await db.transaction(async (tx) => {
    for (const sql of [
      ...userStatements('postgres', users, existing),
      ...privilegeStatements('postgres', options),
    ])
      await tx.exec(sql);
  });
}

/**
 * Each view as its statements say, in a data directory made by an older version too: a view
 * whose definition, owner or grants changed since (its comment holds a fingerprint of the
 * statements that make it) is rebuilt.
 */
async function ensureViews(db: PGlite, options: SchemaOptions): Promise<void> {
  for (const name of VIEW_NAMES) {
    const statements = viewStatements(name, 'postgres', options);
    const fingerprint = createHash('sha256').update(statements.join(';\n')).digest('hex').slice(0, 16);
    const r = await db.query<{ comment: string | null }>(
      "SELECT obj_description(to_regclass($1), 'pg_class') AS comment",
      [name],
    );
    if (r.rows[0]?.comment === fingerprint) continue;
    await db.transaction(async (tx) => {
      for (const sql of statements) await tx.exec(sql);
      await tx.exec(`COMMENT ON MATERIALIZED VIEW ${name} IS '${fingerprint}'`);
    });
  }
}

/** A statement of a `statements` operation failed: which one, and why. */
export class StatementError extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super((cause as Error).message);
  }
}

type Db = Pick<Transaction, 'query' | 'exec'>;

function rows(r: {
  fields: { name: string; dataTypeID: number }[];
  rows: unknown[];
  affectedRows?: number;
}): Rows {
  return {
    fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    rows: r.rows as unknown[][],
    affectedRows: r.affectedRows ?? 0,
  };
}

/** Each database's admin, the user it opened as (the one Data API statements run as). */
const admins = new WeakMap<PGlite, string>();

/**
 * Data API statements each run in a session of their own, as in Redshift: what one leaves behind
 * (an open transaction, a setting such as default_transaction_read_only, another user, a temporary
 * table) must not reach the next caller or the pipeline's own work on this connection.
 */
async function endSession(db: PGlite): Promise<void> {
  await db.exec('ROLLBACK');
  await db.exec('DISCARD ALL');
  // By name: PGlite does not return to the admin on RESET.
  await db.exec(`SET SESSION AUTHORIZATION "${admins.get(db)!.replace(/"/g, '""')}"`);
}

/** Runs one operation; the answer's type is the operation's (Answers). */
export async function perform(db: PGlite, op: Operation): Promise<Answers[Operation['kind']]> {
  switch (op.kind) {
    case 'exec':
      await db.exec(op.sql);
      return null;
    case 'query':
      return rows(
        await db.query(op.sql, [...op.params], {
          rowMode: 'array',
          ...(op.csv ? { blob: new Blob([op.csv]) } : {}),
        }),
      );
    case 'statements': {
      const run = async (q: Db): Promise<Rows> => {
        let last: Rows = { fields: [], rows: [], affectedRows: 0 };
        for (const [i, s] of op.statements.entries()) {
          try {
            last = rows(await q.query(s.text, [...s.values], { rowMode: 'array' }));
          } catch (err) {
            throw new StatementError(i, err);
          }
        }
        return last;
      };
      try {
        return await (op.transaction ? db.transaction(run) : run(db));
      } finally {
        await endSession(db);
      }
    }
    case 'load':
      return load(db, op.csv, op.sourceKey, op.absent);
    case 'columns': {
      const r = await db.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [op.table],
      );
      return r.rows.map((c) => ({ name: c.column_name, type: c.data_type }));
    }
    case 'close':
      await db.close();
      return null;
  }
}

/**
 * Upsert good.csv (canonical columns, with header) by movie_id in one transaction: all rows
 * or none. A movie already in the table gets only the columns the drop carries (`absent`, see
 * updatedColumns) and the lineage; the others keep their values. Returns the number of rows loaded.
 */
function load(db: PGlite, csv: Uint8Array, sourceKey: string, absent: readonly string[]): Promise<number> {
  const columns = LOAD_COLUMNS.join(', ');
  const updates = updatedColumns({ absent })
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  return db.transaction(async (tx) => {
    await tx.exec(`CREATE TEMP TABLE staging (LIKE ${TABLE_NAME}) ON COMMIT DROP`);
    await tx.query(`COPY staging (${columns}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {
      blob: new Blob([csv]),
    });
    const r = await tx.query(
      `INSERT INTO ${TABLE_NAME} (${columns}, source_key, loaded_at)
       SELECT ${columns}, $1, now() FROM staging
       ON CONFLICT (${PRIMARY_KEY}) DO UPDATE SET ${updates}`,
      [sourceKey],
    );
    return r.affectedRows ?? 0;
  });
}
