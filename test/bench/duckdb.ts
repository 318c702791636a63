/**
 * Child process of the benchmark: DuckDB computing the same rule metrics in SQL over the same
 * file, with the contract's coercions written as SQL. The reference our engine is measured against.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2]!;
const started = performance.now();
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const source = `read_csv('${file.replace(/'/g, "''")}', header = true, all_varchar = true, quote = '"', escape = '"', null_padding = true, strict_mode = false)`;
// The contract's coercions (contract/coerce.ts) in SQL; NULL where ours reports a violation.
const typed = `
  SELECT
    NULLIF(trim(Series_Title), '') AS title,
    CASE WHEN regexp_full_match(trim(Released_Year), '\\d{4}') THEN CAST(trim(Released_Year) AS INTEGER) END AS release_year,
    CASE WHEN regexp_full_match(trim(IMDB_Rating), '[+-]?(\\d+\\.?\\d*|\\.\\d+)') THEN CAST(trim(IMDB_Rating) AS DOUBLE) END AS imdb_rating,
    CAST(NULLIF(regexp_extract(trim(Runtime), '^(\\d+)\\s*(m|min|mins|minutes?)?\\.?$', 1), '') AS INTEGER) AS runtime_minutes,
    TRY_CAST(NULLIF(trim(Meta_score), '') AS INTEGER) AS meta_score,
    TRY_CAST(replace(NULLIF(trim(No_of_Votes), ''), ',', '') AS BIGINT) AS votes,
    TRY_CAST(replace(NULLIF(trim(Gross), ''), ',', '') AS BIGINT) AS gross_usd
  FROM ${source}`;
const withId = `
  SELECT *, CASE WHEN title IS NOT NULL AND release_year IS NOT NULL THEN
      trim(regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g'), '-') || '-' || release_year END AS movie_id
  FROM (${typed})`;
const ratio = (cond: string, where = 'TRUE'): string =>
  `COALESCE(count(*) FILTER (WHERE (${where}) AND (${cond}))::DOUBLE / NULLIF(count(*) FILTER (WHERE ${where}), 0), 1)`;
const sql = `
  WITH t AS (${withId}),
  ids AS (SELECT count(*) AS n FROM t WHERE movie_id IS NOT NULL),
  once AS (SELECT count(*) AS u FROM (SELECT movie_id FROM t WHERE movie_id IS NOT NULL GROUP BY movie_id HAVING count(*) = 1))
  SELECT
    count(*)::DOUBLE AS "RowCount > 0 :: Dataset.*.RowCount",
    ${ratio('title IS NOT NULL')} AS "Completeness ""title"" > 0.95 :: Column.title.Completeness",
    (SELECT u FROM once)::DOUBLE / (SELECT n FROM ids) AS "Uniqueness ""movie_id"" > 0.99 :: Column.movie_id.Uniqueness",
    ${ratio('imdb_rating > 0.9 AND imdb_rating < 10.1')} AS "ColumnValues ""imdb_rating"" between 0.9 and 10.1 with threshold > 0.9 :: Column.imdb_rating.ColumnValues.Compliance",
    ${ratio('imdb_rating IS NOT NULL')} AS "IsComplete ""imdb_rating"" :: Column.imdb_rating.Completeness",
    ${ratio('release_year IS NOT NULL')} AS "IsComplete ""release_year"" :: Column.release_year.Completeness",
    ${ratio('coalesce(length(title), 0) <= 500')} AS "ColumnLength ""title"" <= 500 :: Column.title.LengthCompliance",
    ${ratio('imdb_rating <= 10')} AS "ColumnValues ""imdb_rating"" <= 10 :: Column.imdb_rating.ColumnValues.Compliance",
    ${ratio('release_year > 1887 AND release_year < 2101')} AS "ColumnValues ""release_year"" between 1887 and 2101 :: Column.release_year.ColumnValues.Compliance",
    ${ratio('meta_score <= 100', 'meta_score IS NOT NULL')} AS "ColumnValues ""meta_score"" <= 100 where ""meta_score is not null"" :: Column.meta_score.ColumnValues.Compliance",
    ${ratio('votes >= 0', 'votes IS NOT NULL')} AS "ColumnValues ""votes"" >= 0 where ""votes is not null"" :: Column.votes.ColumnValues.Compliance",
    ${ratio('gross_usd >= 0', 'gross_usd IS NOT NULL')} AS "ColumnValues ""gross_usd"" >= 0 where ""gross_usd is not null"" :: Column.gross_usd.ColumnValues.Compliance",
    max(imdb_rating) AS "ColumnValues ""imdb_rating"" <= 10 :: Column.imdb_rating.Maximum",
    min(votes)::DOUBLE AS "ColumnValues ""votes"" >= 0 where ""votes is not null"" :: Column.votes.Minimum"
  FROM t`;
const reader = await con.runAndReadAll(sql);
const names = reader.columnNames();
const row = reader.getRows()[0]!;
const metrics: Record<string, number> = {};
names.forEach((n, i) => (metrics[n] = Number(row[i])));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rows: metrics['RowCount > 0 :: Dataset.*.RowCount'],
    metrics,
  }),
);
