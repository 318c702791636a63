import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { readFileSync } from 'node:fs';
import { checkDrop } from '../../contract/check.ts';
import { readDrop } from '../../contract/movie-reader.ts';
import {
  DATABASE_USERS,
  refreshStatements,
  schemaStatements,
  TABLE_COLUMNS,
  userStatements,
  VIEW_NAMES,
} from '../../contract/sql.ts';

let db: PGlite;

/** Load the rows of a drop that pass the contract, as the pipeline would (canonical values). */
async function load(file: string): Promise<number> {
  const rows: unknown[][] = [];
  let names: string[] = [];
  await readDrop(
    file,
    [readFileSync(file)],
    (row) => {
      if (row.problems.length === 0) rows.push([...row.values]);
    },
    { onLayout: (l) => (names = l.schema.map((c) => c.name)) },
  );
  const cols = TABLE_COLUMNS.map((c) => c.name).filter((n) => names.includes(n));
  for (const row of rows) {
    const values = cols.map((c) => row[names.indexOf(c)]);
    await db.query(
      `INSERT INTO movies (${cols.join(', ')}, source_key, loaded_at) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}, $${cols.length + 1}, now())
       ON CONFLICT (movie_id) DO NOTHING`,
      [...values, file],
    );
  }
  return rows.length;
}

beforeAll(async () => {
  db = new PGlite();
  const users = Object.values(DATABASE_USERS).map((name) => ({ name, password: `${name}-password` }));
  for (const sql of [
    ...userStatements('postgres', users, new Set()),
    ...schemaStatements('postgres', { admin: 'postgres', database: 'postgres' }),
  ])
    await db.exec(sql);
});
afterAll(async () => db.close());

describe('the shared SQL on PostgreSQL', () => {
  it('creates the table and the views, and the views answer after a refresh', async () => {
    expect(await load('data/clean/movies_2024_q1.csv')).toBe(25);
    for (const sql of refreshStatements()) await db.exec(sql);
    const top = await db.query<{ title: string; weighted_rating: string }>(
      'SELECT title, weighted_rating FROM mv_top_rated_movies ORDER BY weighted_rating DESC LIMIT 3',
    );
    expect(top.rows).toHaveLength(3);
    const genres = await db.query<{ genre: string; movies: number }>(
      'SELECT genre, movies FROM mv_genre_statistics ORDER BY genre',
    );
    const total = await db.query<{ n: number }>(
      "SELECT SUM(array_length(string_to_array(genres, ', '), 1))::int AS n FROM movies",
    );
    expect(genres.rows.reduce((sum, r) => sum + Number(r.movies), 0)).toBe(total.rows[0]!.n);
    expect(genres.rows.every((r) => r.genre === r.genre.trim() && r.genre.length > 0)).toBe(true);
    const years = await db.query<{ movies: number }>(
      'SELECT SUM(movies)::int AS movies FROM mv_yearly_trends',
    );
    expect(years.rows[0]!.movies).toBe(25);
  });

  it('has one view per allow-listed name', async () => {
    const r = await db.query<{ matviewname: string }>('SELECT matviewname FROM pg_matviews ORDER BY 1');
    expect(r.rows.map((x) => x.matviewname)).toEqual([...VIEW_NAMES].sort());
  });

  it('keeps the contract and the DDL in step (every contract column is a table column)', async () => {
    const check = await checkDrop('data/clean/movies_2024_q1.csv', [
      readFileSync('data/clean/movies_2024_q1.csv'),
    ]);
    const r = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'movies'",
    );
    const columns = r.rows.map((x) => x.column_name);
    for (const c of check.layout.schema) expect(columns).toContain(c.name);
  });
});
