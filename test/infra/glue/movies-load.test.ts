import { describe, expect, it } from '@jest/globals';
import { contractJson, INPUT_COLUMNS, updatedColumns } from '../../../contract/contract.ts';
import { carriedColumns, glueLoadSql, nonStdlibImports, runGlueLib } from './glue-load-sql.ts';

const ALL = INPUT_COLUMNS.map((c) => c.name).filter((c) => c !== 'movie_id');
const without = (...names: string[]): string[] => ALL.filter((c) => !names.includes(c));

/** The Glue job's load SQL (infra/glue/lib/movies_load.py), beside the twin's rule (updatedColumns). */
describe('movies_load.py', () => {
  it('imports nothing outside the standard library (no Spark, Glue or boto3)', () => {
    expect(nonStdlibImports('movies_load')).toEqual([]);
  });

  it.each([
    ['every column, with an id', { absent: [], derivedId: false }],
    ['every column, the id derived', { absent: [], derivedId: true }],
    [
      'no overview, meta_score or stars',
      { absent: without('title', 'release_year', 'imdb_rating', 'genres'), derivedId: false },
    ],
    ['no genres', { absent: ['genres', 'overview'], derivedId: true }],
    [
      'only the required columns',
      { absent: without('title', 'release_year', 'imdb_rating'), derivedId: true },
    ],
  ])('updates the columns the twin updates: %s', (_, layout) => {
    const { updated, postactions } = glueLoadSql('run-1', carriedColumns(layout));
    expect(updated).toEqual(updatedColumns(layout));
    expect(postactions).toContain(
      `UPDATE SET ${updated.map((c) => `${c} = s.${c}`).join(', ')} WHEN NOT MATCHED`,
    );
  });

  it('updates neither the key nor, without genres, primary_genre; always the lineage', () => {
    const updated = updatedColumns({ absent: without('title', 'release_year', 'imdb_rating') });
    expect(updated).toEqual(['title', 'release_year', 'imdb_rating', 'source_key', 'loaded_at']);
    expect(updatedColumns({ absent: without('title', 'release_year', 'imdb_rating', 'genres') })).toEqual([
      'title',
      'release_year',
      'genres',
      'imdb_rating',
      'primary_genre',
      'source_key',
      'loaded_at',
    ]);
  });

  it('inserts every column, absent or not, and merges and drops the staging table in one transaction', () => {
    const { dbtable, preactions, postactions, staged } = glueLoadSql('Exec:42/a', ['title', 'release_year']);
    expect(dbtable).toBe('movies_staging.movies_exec_42_a');
    expect(preactions).toBe(`DROP TABLE IF EXISTS ${dbtable}; CREATE TABLE ${dbtable} (LIKE movies);`);
    expect(postactions).toMatch(/^BEGIN; MERGE INTO movies USING \S+ s ON movies\.movie_id = s\.movie_id /);
    expect(postactions).toContain(
      `INSERT (${staged.join(', ')}) VALUES (${staged.map((c) => `s.${c}`).join(', ')});`,
    );
    expect(postactions).toMatch(new RegExp(`; DROP TABLE ${dbtable.replace('.', '\\.')}; END;$`));
  });

  it('refuses a column the contract does not know, and a name that is not a plain identifier', () => {
    expect(() => glueLoadSql('run-1', ['title', 'x; DROP TABLE movies'])).toThrow(/not contract columns/);
    const program = `
import json, sys
import movies_load
contract = json.loads(sys.argv[1])
contract["inputColumns"][1]["name"] = "title; --"
try:
    movies_load.postactions(contract, "run-1", ["title; --"])
except ValueError as err:
    print(json.dumps(str(err)))
`;
    expect(JSON.parse(runGlueLib(program, JSON.stringify(contractJson())))).toMatch(
      /not a plain SQL identifier/,
    );
  });
});
