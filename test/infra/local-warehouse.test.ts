import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../infra/local/warehouse.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-warehouse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local warehouse', () => {
  it('rebuilds a view whose definition changed since the data directory was made, keeping the data', async () => {
    let wh = await Warehouse.open(dir);
    await wh.db.exec(`INSERT INTO movies (movie_id, title, genres, imdb_rating, votes)
                      VALUES ('heat-1995', 'Heat', 'Action, Crime', 8.3, 600000)`);
    // As an older version left it: the view without the genres column, and no fingerprint.
    await wh.db.exec(`DROP MATERIALIZED VIEW mv_top_rated_movies;
                      CREATE MATERIALIZED VIEW mv_top_rated_movies AS SELECT movie_id, title FROM movies`);
    await wh.close();

    wh = await Warehouse.open(dir);
    const r = await wh.db.query('SELECT title, genres FROM mv_top_rated_movies');
    expect(r.rows).toEqual([{ title: 'Heat', genres: 'Action, Crime' }]);
    await wh.close();
  });
});
