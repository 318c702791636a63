import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOAD_COLUMNS, Warehouse } from '../../local-aws/warehouse.ts';
import { checkDrop } from '../../contract/check.ts';
import { STAGING_SCHEMA } from '../../contract/contract.ts';
import { DATABASE_USERS, refreshStatements, VIEW_NAMES } from '../../contract/sql.ts';
import { carriedColumns, glueLoadSql } from '../infra/glue/glue-load-sql.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-warehouse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const owners = async (wh: Warehouse): Promise<Record<string, string>> =>
  Object.fromEntries(
    (
      await wh.query<{ name: string; owner: string }>(
        'SELECT matviewname AS name, matviewowner AS owner FROM pg_matviews',
      )
    ).rows.map((r) => [r.name, r.owner]),
  );

describe('the local warehouse', () => {
  it('rebuilds a view whose definition changed since the data directory was made, keeping the data', async () => {
    const at = join(dir, 'rebuild');
    let wh = await Warehouse.open(at);
    await wh.exec(`INSERT INTO movies (movie_id, title, genres, imdb_rating, votes)
                      VALUES ('heat-1995', 'Heat', 'Action, Crime', 8.3, 600000)`);
    // As an older version left it: the view without the genres column, owned by the admin, and no fingerprint.
    await wh.exec(`DROP MATERIALIZED VIEW mv_top_rated_movies;
                      CREATE MATERIALIZED VIEW mv_top_rated_movies AS SELECT movie_id, title FROM movies`);
    await wh.close();

    wh = await Warehouse.open(at);
    const r = await wh.query('SELECT title, genres FROM mv_top_rated_movies');
    expect(r.rows).toEqual([{ title: 'Heat', genres: 'Action, Crime' }]);
    expect(await owners(wh)).toEqual(
      Object.fromEntries(VIEW_NAMES.map((name) => [name, DATABASE_USERS.refresher])),
    );
    await wh.close();
  });
});

// PostgreSQL 17+ words it so (REFRESH needs MAINTAIN, which only the owner has here); Redshift: owner only.
const refuseRefresh = VIEW_NAMES.map((v) => [
  `REFRESH MATERIALIZED VIEW ${v}`,
  new RegExp(`permission denied for materialized view ${v}|must be owner of materialized view ${v}`),
]);

/**
 * Each database user's privileges, proven by acting as that user (SET SESSION AUTHORIZATION, as
 * the admin may) on the warehouse the twin runs: what its job needs works, the rest is refused.
 */
describe('the database users on the local warehouse', () => {
  const { bot, loader, refresher } = DATABASE_USERS;
  let wh: Warehouse;
  let admin: string;

  /** Runs SQL as a user and comes back to the admin, whatever happened. */
  async function as(user: string, sql: string): Promise<void> {
    try {
      await wh.exec(`SET SESSION AUTHORIZATION ${user}`);
      await wh.exec(sql);
    } finally {
      await wh.exec('ROLLBACK'); // a failed explicit transaction (the MERGE's) is left open
      await wh.exec(`SET SESSION AUTHORIZATION ${admin}`);
    }
  }

  /** The Glue job's load, statement for statement, as the loader: staging table, COPY, MERGE. */
  async function glueLoad(execution: string, rows: { id: string; title: string; rating: number }[]) {
    const { dbtable, preactions, postactions } = glueLoadSql(execution);
    // The Redshift writer creates its table if missing, runs the preactions, COPYs, runs the postactions.
    await as(loader, `CREATE TABLE IF NOT EXISTS ${dbtable} (movie_id VARCHAR(64))`);
    await as(loader, preactions);
    const values = rows
      .map((r) => `('${r.id}', '${r.title}', 1995, 'Crime, Drama', ${r.rating}, 500000, 'Crime', 'k', now())`)
      .join(', ');
    await as(
      loader,
      `INSERT INTO ${dbtable} (movie_id, title, release_year, genres, imdb_rating, votes, primary_genre, source_key, loaded_at) VALUES ${values}`,
    );
    await as(loader, postactions);
  }

  beforeAll(async () => {
    wh = await Warehouse.open(join(dir, 'users'));
    admin = (await wh.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  }, 60_000);
  afterAll(async () => wh?.close());

  it('lets the loader run the Glue job’s staging table and MERGE, twice (an upsert), leaving no staging table', async () => {
    await glueLoad('run-1', [
      { id: 'heat-1995', title: 'Heat', rating: 8.2 },
      { id: 'casino-1995', title: 'Casino', rating: 8.1 },
    ]);
    await glueLoad('run-2', [{ id: 'heat-1995', title: 'Heat', rating: 8.3 }]);
    const r = await wh.query('SELECT movie_id, imdb_rating FROM movies ORDER BY movie_id');
    expect(r.rows).toEqual([
      { movie_id: 'casino-1995', imdb_rating: '8.1' },
      { movie_id: 'heat-1995', imdb_rating: '8.3' },
    ]);
    const staged = await wh.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [STAGING_SCHEMA]);
    expect(staged.rows).toEqual([]);
  });

  it('lets the refresher refresh each view, and the bot read each view', async () => {
    for (const sql of refreshStatements()) await as(refresher, sql);
    for (const view of VIEW_NAMES) await as(bot, `SELECT * FROM ${view}`);
    const top = await wh.query('SELECT title FROM mv_top_rated_movies ORDER BY weighted_rating DESC');
    expect(top.rows).toEqual([{ title: 'Heat' }, { title: 'Casino' }]);
  });

  it.each([
    ['SELECT * FROM movies', /permission denied for table movies/],
    ["INSERT INTO movies (movie_id) VALUES ('x')", /permission denied for table movies/],
    ...refuseRefresh,
    ['CREATE TABLE public.bot_table (a int)', /permission denied for schema public/],
    [`CREATE TABLE ${STAGING_SCHEMA}.bot_table (a int)`, /permission denied for schema movies_staging/],
    ['CREATE TEMP TABLE bot_temp (a int)', /permission denied to create temporary tables/],
  ] as [string, RegExp][])('refuses the bot: %s', async (sql, error) => {
    await expect(as(bot, sql)).rejects.toThrow(error);
  });

  it.each([
    ['DROP TABLE movies', /must be owner of table movies/],
    ['DELETE FROM movies', /permission denied for table movies/],
    ['TRUNCATE movies', /permission denied for table movies/],
    ['ALTER TABLE movies ADD COLUMN x int', /must be owner of table movies/],
    ...refuseRefresh,
    ['SELECT * FROM mv_genre_statistics', /permission denied for materialized view mv_genre_statistics/],
    ['CREATE TABLE public.loader_table (a int)', /permission denied for schema public/],
    ['CREATE TEMP TABLE loader_temp (a int)', /permission denied to create temporary tables/],
  ] as [string, RegExp][])('refuses the loader: %s', async (sql, error) => {
    await expect(as(loader, sql)).rejects.toThrow(error);
  });

  it.each([
    ["INSERT INTO movies (movie_id) VALUES ('x')", /permission denied for table movies/],
    ["UPDATE movies SET title = 'x'", /permission denied for table movies/],
    ['DELETE FROM movies', /permission denied for table movies/],
    ['DROP TABLE movies', /must be owner of table movies/],
    // It could create the views only inside the schema's transaction.
    ['CREATE TABLE public.refresher_table (a int)', /permission denied for schema public/],
    [`CREATE TABLE ${STAGING_SCHEMA}.refresher_table (a int)`, /permission denied for schema movies_staging/],
  ] as [string, RegExp][])('refuses the refresher: %s', async (sql, error) => {
    await expect(as(refresher, sql)).rejects.toThrow(error);
  });

  it('keeps the users and their privileges when the warehouse opens again', async () => {
    await wh.close();
    wh = await Warehouse.open(join(dir, 'users'));
    await as(refresher, 'REFRESH MATERIALIZED VIEW mv_yearly_trends');
    await as(bot, 'SELECT * FROM mv_yearly_trends');
    await expect(as(bot, 'SELECT * FROM movies')).rejects.toThrow(/permission denied for table movies/);
  });
});

/**
 * A drop that lacks a column leaves it as it is on the movies already loaded, in both engines:
 * the twin's upsert and the Glue job's MERGE (its SQL from movies_load.py, run on PGlite after
 * the good rows are staged as the Redshift writer stages them).
 */
describe('loads that do not erase', () => {
  const drops = {
    full: [
      'movie_id,title,release_year,certificate,genres,imdb_rating,overview,meta_score,director,star1,star2,star3,star4,votes',
      'heat-1995,Heat,1995,R,"Crime, Drama",8.2,A thief and the detective who hunts him,76,Michael Mann,Al Pacino,Robert De Niro,Val Kilmer,Jon Voight,600000',
    ],
    // No id column (movie_id is derived: heat-1995), no overview, meta_score or stars; new genres.
    narrow: [
      'title,release_year,genres,imdb_rating,director,votes',
      'Heat,1995,"Action, Crime",8.3,Michael Mann,700000',
      'Casino,1995,"Crime, Drama",8.2,Martin Scorsese,500000',
    ],
    // Not even genres: genres and primary_genre stay too.
    ratings: ['movie_id,title,release_year,imdb_rating', 'heat-1995,Heat,1995,8.4'],
  };
  type Drop = keyof typeof drops;
  const keyOf = (drop: Drop): string => `input_data/${drop}.csv`;

  /** The drop through the contract and the ruleset: good.csv and the layout, as runLocalEtl (local-aws/etl.ts) has them. */
  async function check(drop: Drop) {
    const goodPath = join(dir, `${drop}.good.csv`);
    const result = await checkDrop(keyOf(drop), [Buffer.from(drops[drop].join('\n') + '\n')], { goodPath });
    expect(result.decision.verdict).toBe('SUCCEEDED');
    return { layout: result.layout, good: readFileSync(goodPath) };
  }

  async function twinLoad(drop: Drop): Promise<void> {
    const { layout, good } = await check(drop);
    await twin.load(good, keyOf(drop), layout);
  }

  /** The Glue job's load, statement for statement, as the loader: preactions, the staged rows, postactions. */
  async function glueLoad(drop: Drop): Promise<void> {
    const { layout, good } = await check(drop);
    const sql = glueLoadSql(`run-${drop}`, carriedColumns(layout));
    // The job's frame: good.csv's columns, then the lineage.
    expect(sql.staged).toEqual([...LOAD_COLUMNS, 'source_key', 'loaded_at']);
    const admin = (await glue.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    const asLoader = async (statements: string): Promise<void> => {
      await glue.exec(`SET SESSION AUTHORIZATION ${DATABASE_USERS.loader}`);
      try {
        await glue.exec(statements);
      } finally {
        await glue.exec(`SET SESSION AUTHORIZATION ${admin}`);
      }
    };
    await asLoader(sql.preactions);
    // What COPY puts in the staging table: the frame's columns, the good rows, the key as a value.
    await glue.query(
      `COPY ${sql.dbtable} (${LOAD_COLUMNS.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
      [],
      { csv: good },
    );
    await glue.query(`UPDATE ${sql.dbtable} SET source_key = $1, loaded_at = now()`, [keyOf(drop)]);
    await asLoader(sql.postactions);
  }

  const rows = async (wh: Warehouse) =>
    (
      await wh.query<Record<string, unknown>>(
        `SELECT ${LOAD_COLUMNS.join(', ')}, source_key FROM movies ORDER BY movie_id`,
      )
    ).rows;

  /** Heat after each drop: what a drop lacks stays; what it carries and the lineage change. */
  const heatFull = {
    movie_id: 'heat-1995',
    title: 'Heat',
    release_year: 1995,
    certificate: 'R',
    runtime_minutes: null,
    genres: 'Crime, Drama',
    imdb_rating: '8.2',
    overview: 'A thief and the detective who hunts him',
    meta_score: 76,
    director: 'Michael Mann',
    star1: 'Al Pacino',
    star2: 'Robert De Niro',
    star3: 'Val Kilmer',
    star4: 'Jon Voight',
    votes: 600000,
    gross_usd: null,
    poster_url: null,
    primary_genre: 'Crime',
    source_key: 'input_data/full.csv',
  };
  const heatNarrow = {
    ...heatFull,
    genres: 'Action, Crime',
    primary_genre: 'Action',
    imdb_rating: '8.3',
    votes: 700000,
    source_key: 'input_data/narrow.csv',
  };
  const heatRatings = { ...heatNarrow, imdb_rating: '8.4', source_key: 'input_data/ratings.csv' };
  /** A movie the narrow drop brings: NULL in every column that drop lacks. */
  const casino = {
    movie_id: 'casino-1995',
    title: 'Casino',
    release_year: 1995,
    certificate: null,
    runtime_minutes: null,
    genres: 'Crime, Drama',
    imdb_rating: '8.2',
    overview: null,
    meta_score: null,
    director: 'Martin Scorsese',
    star1: null,
    star2: null,
    star3: null,
    star4: null,
    votes: 500000,
    gross_usd: null,
    poster_url: null,
    primary_genre: 'Crime',
    source_key: 'input_data/narrow.csv',
  };
  const tableAfter: Record<Drop, unknown[]> = {
    full: [heatFull],
    narrow: [casino, heatNarrow],
    ratings: [casino, heatRatings],
  };

  let twin: Warehouse;
  let glue: Warehouse;
  beforeAll(async () => {
    [twin, glue] = await Promise.all([Warehouse.open(undefined), Warehouse.open(undefined)]);
  }, 60_000);
  afterAll(async () => Promise.all([twin?.close(), glue?.close()]));

  it('keeps, in the twin, the columns a later drop lacks and updates those it carries', async () => {
    for (const drop of Object.keys(drops) as Drop[]) {
      await twinLoad(drop);
      expect(await rows(twin)).toEqual(tableAfter[drop]);
    }
  });

  it('leaves, through the Glue job’s MERGE, the same rows as the twin after each drop', async () => {
    for (const drop of Object.keys(drops) as Drop[]) {
      await glueLoad(drop);
      expect(await rows(glue)).toEqual(tableAfter[drop]);
    }
    expect(await rows(glue)).toEqual(await rows(twin));
    const staged = await glue.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [
      STAGING_SCHEMA,
    ]);
    expect(staged.rows).toEqual([]);
  });

  it('inserts a new movie from a narrow drop with NULL in the columns the drop lacks, in both engines', async () => {
    for (const wh of [twin, glue])
      expect((await rows(wh)).find((r) => r.movie_id === 'casino-1995')).toEqual(casino);
  });
});
