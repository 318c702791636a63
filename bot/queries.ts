/**
 * What `/movies` can ask, and nothing else: fixed SQL over the allow-listed views, with the
 * user's words only ever passed as named parameters.
 */
import type { ViewName } from '../contract/sql.ts';

export interface Query {
  readonly view: ViewName;
  readonly sql: string;
  readonly parameters: Record<string, string>;
}

export function topRated(limit: number, genre?: string): Query {
  const columns = 'title, release_year, imdb_rating, votes, weighted_rating';
  const order = `ORDER BY weighted_rating DESC, title LIMIT ${limit}`;
  return genre
    ? {
        view: 'mv_top_rated_movies',
        // One of the film's (up to three) listed genres, exactly: no pattern, whatever was typed.
        sql: `SELECT ${columns} FROM mv_top_rated_movies
              WHERE LOWER(:genre) IN (LOWER(TRIM(SPLIT_PART(genres, ',', 1))), LOWER(TRIM(SPLIT_PART(genres, ',', 2))), LOWER(TRIM(SPLIT_PART(genres, ',', 3))))
              ${order}`,
        parameters: { genre },
      }
    : {
        view: 'mv_top_rated_movies',
        sql: `SELECT ${columns} FROM mv_top_rated_movies ${order}`,
        parameters: {},
      };
}

export function genres(): Query {
  return {
    view: 'mv_genre_statistics',
    sql: 'SELECT genre, movies, avg_rating, total_votes FROM mv_genre_statistics ORDER BY movies DESC, genre',
    parameters: {},
  };
}

export function genre(name: string): Query {
  return {
    view: 'mv_genre_statistics',
    sql: 'SELECT genre, movies, avg_rating, avg_meta_score, total_votes, total_gross_usd, first_year, last_year FROM mv_genre_statistics WHERE LOWER(genre) = LOWER(:genre)',
    parameters: { genre: name },
  };
}

export function trends(from?: number, to?: number): Query {
  return {
    view: 'mv_yearly_trends',
    sql: `SELECT release_year, movies, avg_rating, avg_runtime_minutes, total_votes FROM mv_yearly_trends
          WHERE release_year >= CAST(:from AS INTEGER) AND release_year <= CAST(:to AS INTEGER) ORDER BY release_year`,
    parameters: { from: String(from ?? 0), to: String(to ?? 9999) },
  };
}
