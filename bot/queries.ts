/**
 * What `/movies` can ask, and nothing else: fixed SQL over the allow-listed views, with the
 * user's words only ever passed as named parameters.
 */
import type { ViewName } from '../infra/pipeline/sql.ts';

export interface Query {
  readonly view: ViewName;
  readonly sql: string;
  readonly parameters: Record<string, string>;
}

export function topRated(limit: number, genre?: string): Query {
  return genre
    ? {
        view: 'mv_top_rated_movies',
        sql: `SELECT t.title, t.release_year, t.imdb_rating, t.votes, t.weighted_rating FROM mv_top_rated_movies t
              JOIN movies m ON m.movie_id = t.movie_id
              WHERE LOWER(m.genres) LIKE '%' || LOWER(:genre) || '%'
              ORDER BY t.weighted_rating DESC, t.title LIMIT ${limit}`,
        parameters: { genre },
      }
    : {
        view: 'mv_top_rated_movies',
        sql: `SELECT title, release_year, imdb_rating, votes, weighted_rating FROM mv_top_rated_movies ORDER BY weighted_rating DESC, title LIMIT ${limit}`,
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
