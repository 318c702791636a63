/**
 * The warehouse SQL, for Redshift and PostgreSQL (the local warehouse) alike: the table,
 * generated from the contract; the views; and the database users with what each may do.
 */
import { createHash } from 'node:crypto';
import { DERIVED_COLUMNS, INPUT_COLUMNS, PRIMARY_KEY, STAGING_SCHEMA, TABLE_NAME } from './contract.ts';

/** All table columns in order: the contract's input columns, then the derived ones. */
export const TABLE_COLUMNS: readonly { name: string; sqlType: string }[] = [
  ...INPUT_COLUMNS,
  ...DERIVED_COLUMNS,
];

export function createTableSql(table = TABLE_NAME): string {
  const columns = TABLE_COLUMNS.map(
    (c) => `  ${c.name} ${c.sqlType}${c.name === PRIMARY_KEY ? ' NOT NULL' : ''}`,
  ).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${columns},\n  PRIMARY KEY (${PRIMARY_KEY})\n);\n`;
}

/** The materialized views the bot reads; the allow-list of what may be queried. */
export const VIEW_NAMES = ['mv_top_rated_movies', 'mv_genre_statistics', 'mv_yearly_trends'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/**
 * View bodies, shared by Redshift and the local PostgreSQL warehouse: plain SELECTs in the
 * common subset (no STRING_AGG/LISTAGG/MEDIAN/GENERATE_SERIES; averages cast to DECIMAL so
 * neither engine truncates or differs in rounding).
 */
export const VIEW_BODIES: Record<ViewName, string> = {
  // IMDb's weighted rating: a film with few votes is pulled toward the mean rating.
  mv_top_rated_movies: `SELECT m.movie_id, m.title, m.release_year, m.primary_genre, m.genres, m.director,
       m.imdb_rating, m.meta_score, m.votes,
       CAST((m.votes * m.imdb_rating + 25000 * s.mean_rating) / (m.votes + 25000) AS DECIMAL(6,3)) AS weighted_rating
FROM movies m
CROSS JOIN (SELECT AVG(CAST(imdb_rating AS DECIMAL(6,3))) AS mean_rating FROM movies) s
WHERE m.imdb_rating IS NOT NULL AND m.votes IS NOT NULL AND m.votes > 0`,
  // Every listed genre counts (Kaggle lists up to three per film), not only the first.
  mv_genre_statistics: `SELECT g.genre,
       COUNT(*) AS movies,
       CAST(AVG(CAST(g.imdb_rating AS DECIMAL(6,3))) AS DECIMAL(6,3)) AS avg_rating,
       CAST(AVG(CAST(g.meta_score AS DECIMAL(6,2))) AS DECIMAL(6,2)) AS avg_meta_score,
       SUM(g.votes) AS total_votes,
       SUM(g.gross_usd) AS total_gross_usd,
       MIN(g.release_year) AS first_year,
       MAX(g.release_year) AS last_year
FROM (
  SELECT TRIM(SPLIT_PART(genres, ',', 1)) AS genre, imdb_rating, meta_score, votes, gross_usd, release_year FROM movies
  UNION ALL
  SELECT TRIM(SPLIT_PART(genres, ',', 2)), imdb_rating, meta_score, votes, gross_usd, release_year FROM movies
  UNION ALL
  SELECT TRIM(SPLIT_PART(genres, ',', 3)), imdb_rating, meta_score, votes, gross_usd, release_year FROM movies
) g
WHERE g.genre IS NOT NULL AND g.genre <> ''
GROUP BY g.genre`,
  mv_yearly_trends: `SELECT release_year,
       COUNT(*) AS movies,
       CAST(AVG(CAST(imdb_rating AS DECIMAL(6,3))) AS DECIMAL(6,3)) AS avg_rating,
       CAST(AVG(CAST(runtime_minutes AS DECIMAL(8,2))) AS DECIMAL(8,2)) AS avg_runtime_minutes,
       SUM(votes) AS total_votes,
       SUM(gross_usd) AS total_gross_usd
FROM movies
WHERE release_year IS NOT NULL
GROUP BY release_year`,
};

export type Dialect = 'redshift' | 'postgres';

/** One view's CREATE statement (Redshift's would refresh on its own unless told not to). */
export function createViewSql(name: ViewName, dialect: Dialect): string {
  return `CREATE MATERIALIZED VIEW ${name}${dialect === 'redshift' ? ' AUTO REFRESH NO' : ''} AS\n${VIEW_BODIES[name]}`;
}

/**
 * The database users besides the admin, each with only what its job needs:
 * - bot: SELECT on the three views, nothing else (not the table);
 * - loader (the Glue job and the warehouse crawler): read and upsert `movies` (SELECT, INSERT,
 *   UPDATE: the MERGE; no DELETE, no DDL), its own tables in the staging schema, and on Redshift
 *   COPY with the namespace's IAM role;
 * - refresher (the state machine): owns the three views, because only a materialized view's
 *   owner may REFRESH it, and reads `movies`, which a refresh reads as the owner.
 */
export const DATABASE_USERS = {
  bot: 'movies_bot',
  loader: 'movies_loader',
  refresher: 'movies_refresher',
} as const;
export type DatabaseUser = keyof typeof DATABASE_USERS;

export interface SchemaOptions {
  /** The admin user that runs the schema: the views are made as the refresher, then it switches back. */
  readonly admin: string;
  /** The database: nobody but the admin may make temporary tables in it. */
  readonly database: string;
}

/** A name spliced into SQL: lower-case letters, digits and _ only (as Redshift folds them). */
export function sqlName(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]{0,126}$/.test(name))
    throw new Error(
      `${what} must be lower-case letters, digits and _ (not starting with a digit); got "${name}".`,
    );
  return name;
}

/**
 * A password as Redshift and PostgreSQL both take it without ever seeing it: "md5" followed by
 * the MD5 of the password and the user name. The SQL, and its log, hold only this.
 */
export function passwordHash(user: string, password: string): string {
  return `md5${createHash('md5')
    .update(password + user)
    .digest('hex')}`;
}

/** Which of the named users exist already (one column, usename). */
export function existingUsersSql(names: readonly string[]): string {
  return `SELECT usename FROM pg_user WHERE usename IN (${names.map((n) => `'${sqlName(n, 'A user name')}'`).join(', ')})`;
}

/**
 * Each user created, or, if it exists, its password re-set (neither dialect has CREATE USER IF NOT
 * EXISTS, so the caller asks which exist first). Passwords go into the SQL hashed. Either way the
 * user is stripped of the powers to create databases and users, which a hand-made ALTER could
 * have given it: every deploy puts it back to exactly its job.
 */
export function userStatements(
  dialect: Dialect,
  users: readonly { readonly name: string; readonly password: string }[],
  existing: ReadonlySet<string>,
): string[] {
  const powers = dialect === 'redshift' ? 'NOCREATEDB NOCREATEUSER' : 'NOCREATEDB NOCREATEROLE NOSUPERUSER';
  return users.map(({ name, password }) => {
    if (!password) throw new Error(`The password of the database user ${name} is empty.`);
    const verb = existing.has(name) ? 'ALTER' : 'CREATE';
    return `${verb} USER ${sqlName(name, 'A user name')} PASSWORD '${passwordHash(name, password)}' ${powers}`;
  });
}

/**
 * What each user may do besides the views (run after the table exists; re-runnable). Redshift
 * lets every user create in public, make temporary tables and use the namespace's IAM roles by
 * default; none of that is left to PUBLIC.
 */
export function privilegeStatements(
  dialect: Dialect,
  { database }: Pick<SchemaOptions, 'database'>,
): string[] {
  const { bot, loader, refresher } = DATABASE_USERS;
  const db = sqlName(database, 'The database name');
  return [
    `CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`,
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
    `REVOKE TEMP ON DATABASE ${db} FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA public TO ${bot}, ${loader}, ${refresher}`,
    `GRANT SELECT, INSERT, UPDATE ON ${TABLE_NAME} TO ${loader}`,
    `GRANT USAGE, CREATE ON SCHEMA ${STAGING_SCHEMA} TO ${loader}`,
    `GRANT SELECT ON ${TABLE_NAME} TO ${refresher}`,
    ...(dialect === 'redshift'
      ? ['REVOKE ASSUMEROLE ON ALL FROM PUBLIC FOR ALL', `GRANT ASSUMEROLE ON ALL TO ${loader} FOR COPY`]
      : []),
  ];
}

/**
 * One view, (re)made so that the refresher owns it: dropped (by the admin), created as the
 * refresher (which may create in public only inside this transaction), readable by the bot.
 */
export function viewStatements(
  name: ViewName,
  dialect: Dialect,
  { admin }: Pick<SchemaOptions, 'admin'>,
): string[] {
  const { bot, refresher } = DATABASE_USERS;
  return [
    `DROP MATERIALIZED VIEW IF EXISTS ${name}`,
    `GRANT CREATE ON SCHEMA public TO ${refresher}`,
    `SET SESSION AUTHORIZATION ${refresher}`,
    createViewSql(name, dialect),
    // Back to the admin by name: PGlite does not return to it on DEFAULT.
    `SET SESSION AUTHORIZATION ${sqlName(admin, 'The admin user name')}`,
    `REVOKE CREATE ON SCHEMA public FROM ${refresher}`,
    `GRANT SELECT ON ${name} TO ${bot}`,
  ];
}

/**
 * The table, the privileges and the views, in order; safe to run again (in one transaction), once
 * the users exist (userStatements). The views are replaced, so a changed definition takes effect
 * (Redshift has no CREATE MATERIALIZED VIEW IF NOT EXISTS); the table, which holds the data, is
 * kept as it is.
 */
export function schemaStatements(dialect: Dialect, options: SchemaOptions): string[] {
  return [
    createTableSql(),
    ...privilegeStatements(dialect, options),
    ...VIEW_NAMES.flatMap((name) => viewStatements(name, dialect, options)),
  ];
}

/** Statements that refresh every view after a load (both dialects; run as the refresher). */
export function refreshStatements(): string[] {
  return VIEW_NAMES.map((name) => `REFRESH MATERIALIZED VIEW ${name}`);
}
