/** The warehouse table, generated from the contract (Redshift and PostgreSQL both accept it). */
import { DERIVED_COLUMNS, INPUT_COLUMNS, PRIMARY_KEY, TABLE_NAME } from './contract.ts';

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
 * The table and the views, in order; safe to run again (in one transaction). The views are
 * replaced, so a changed definition takes effect (Redshift has no CREATE MATERIALIZED VIEW IF
 * NOT EXISTS); the table, which holds the data, is kept as it is.
 */
export function schemaStatements(dialect: Dialect): string[] {
  return [
    createTableSql(),
    ...VIEW_NAMES.flatMap((name) => [
      `DROP MATERIALIZED VIEW IF EXISTS ${name}`,
      createViewSql(name, dialect),
    ]),
  ];
}

/** Statements that refresh every view after a load (both dialects). */
export function refreshStatements(): string[] {
  return VIEW_NAMES.map((name) => `REFRESH MATERIALIZED VIEW ${name}`);
}
