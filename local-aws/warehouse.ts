/**
 * The local warehouse: embedded PostgreSQL (PGlite) persisted in the data directory, with the
 * same table DDL, view bodies, database users and privileges as Redshift (contract/sql.ts)
 * and real materialized views, owned by the refresher as in Redshift. PGlite runs one
 * statement at a time; `exclusive` serializes whole units of work (a load, a refresh) so that
 * concurrent executions never interleave inside a transaction.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { INPUT_COLUMNS, PRIMARY_KEY, TABLE_NAME, updatedColumns } from '../contract/contract.ts';
import type { DropLayout } from '../contract/movie-reader.ts';
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

/** Canonical columns of good.csv, in order (the contract's, then primary_genre). */
export const LOAD_COLUMNS = [...INPUT_COLUMNS.map((c) => c.name), 'primary_genre'];

export class Warehouse {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly db: PGlite) {}

  static async open(dir: string | undefined): Promise<Warehouse> {
    if (dir) mkdirSync(dir, { recursive: true });
    const db = dir ? new PGlite(dir) : new PGlite();
    await db.waitReady;
    const wh = new Warehouse(db);
    const r = await db.query<SchemaOptions>('SELECT current_user AS admin, current_database() AS database');
    const options = r.rows[0]!;
    await db.exec(createTableSql());
    await wh.ensureUsers(options);
    await wh.ensureViews(options);
    return wh;
  }

  /**
   * The database users and what each may do, as the schema resource makes them in Redshift. Nobody
   * logs in to PGlite: each user gets a fresh random password at every start.
   */
  private async ensureUsers(options: SchemaOptions): Promise<void> {
    const names = Object.values(DATABASE_USERS);
    const r = await this.db.query<{ usename: string }>(existingUsersSql(names));
    const existing = new Set(r.rows.map((x) => x.usename));
    const users = names.map((name) => ({ name, password: randomBytes(24).toString('base64url') }));
    await this.db.transaction(async (tx) => {
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
  private async ensureViews(options: SchemaOptions): Promise<void> {
    for (const name of VIEW_NAMES) {
      const statements = viewStatements(name, 'postgres', options);
      const fingerprint = createHash('sha256').update(statements.join(';\n')).digest('hex').slice(0, 16);
      const r = await this.db.query<{ comment: string | null }>(
        "SELECT obj_description(to_regclass($1), 'pg_class') AS comment",
        [name],
      );
      if (r.rows[0]?.comment === fingerprint) continue;
      await this.db.transaction(async (tx) => {
        for (const sql of statements) await tx.exec(sql);
        await tx.exec(`COMMENT ON MATERIALIZED VIEW ${name} IS '${fingerprint}'`);
      });
    }
  }

  /** Run `work` alone: no other exclusive work starts until it settles. */
  exclusive<T>(work: (db: PGlite) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.db));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Upsert good.csv (canonical columns, with header) by movie_id in one transaction: all rows
   * or none. A movie already in the table gets only the columns the drop carries (`layout`,
   * see updatedColumns) and the lineage; the others keep their values. Returns the number of
   * rows loaded.
   */
  load(goodCsv: Blob, sourceKey: string, layout: Pick<DropLayout, 'absent'>): Promise<number> {
    const columns = LOAD_COLUMNS.join(', ');
    const updates = updatedColumns(layout)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    return this.exclusive((db) =>
      db.transaction(async (tx) => {
        await tx.exec(`CREATE TEMP TABLE staging (LIKE ${TABLE_NAME}) ON COMMIT DROP`);
        await tx.query(`COPY staging (${columns}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], {
          blob: goodCsv,
        });
        const r = await tx.query(
          `INSERT INTO ${TABLE_NAME} (${columns}, source_key, loaded_at)
           SELECT ${columns}, $1, now() FROM staging
           ON CONFLICT (${PRIMARY_KEY}) DO UPDATE SET ${updates}`,
          [sourceKey],
        );
        return r.affectedRows ?? 0;
      }),
    );
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
