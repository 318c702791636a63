import { describe, expect, it } from '@jest/globals';
import { coerce, deriveMovieId, INVALID } from '../../contract/coerce.ts';
import { contractColumnFor, contractJson, normalizeHeader } from '../../contract/contract.ts';
import { DropFileError, readDrop, type Value } from '../../contract/movie-reader.ts';
import { createTableSql } from '../../contract/sql.ts';

const KAGGLE =
  'Poster_Link,Series_Title,Released_Year,Certificate,Runtime,Genre,IMDB_Rating,Overview,Meta_score,Director,Star1,Star2,Star3,Star4,No_of_Votes,Gross';

async function rows(
  text: string | Buffer,
): Promise<{ values: Record<string, Value>; problems: string[]; line: number }[]> {
  const out: { values: Record<string, Value>; problems: string[]; line: number }[] = [];
  let names: string[] = [];
  await readDrop(
    'drop.csv',
    [typeof text === 'string' ? Buffer.from(text) : text],
    (row) => {
      out.push({
        line: row.line,
        values: Object.fromEntries(names.map((n, i) => [n, row.values[i] ?? null])),
        problems: row.problems.map((p) => p.reason),
      });
    },
    { onLayout: (l) => (names = l.schema.map((c) => c.name)) },
  );
  return out;
}

async function fileError(text: string | Buffer): Promise<DropFileError> {
  try {
    await rows(text);
  } catch (err) {
    if (err instanceof DropFileError) return err;
    throw err;
  }
  throw new Error('expected a DropFileError');
}

describe('header normalization and aliases', () => {
  it.each([
    ['Series_Title', 'title'],
    ['Released Year', 'release_year'],
    ['released-year', 'release_year'],
    ['releasedYear', 'release_year'],
    ['IMDB_Rating', 'imdb_rating'],
    ['No_of_Votes', 'votes'],
    ['Gross', 'gross_usd'],
    ['\uFEFFPoster_Link', 'poster_url'],
    [' Meta_score ', 'meta_score'],
    ['Star1', 'star1'],
    ['imdb_id', 'movie_id'],
  ])('%s → %s', (header, name) => {
    expect(contractColumnFor(header)?.name).toBe(name);
  });

  it('normalizes unknown headers to snake_case', () => {
    expect(normalizeHeader('Box Office (USD)')).toBe('box_office_usd');
  });
});

describe('coercions', () => {
  it.each([
    ['minutes', '142 min', 142],
    ['minutes', '2h 22m', 142],
    ['minutes', 'unknown', INVALID],
    ['money', '28,341,469', 28341469],
    ['money', '$1,234.56', 1234],
    ['money', '28,34,1469', INVALID],
    ['integer', '2343110', 2343110],
    ['integer', '2,343,110', 2343110],
    ['integer', '-40', -40],
    ['integer', '4.5', INVALID],
    ['decimal', '9.3', 9.3],
    ['decimal', '8', 8],
    ['decimal', 'nine', INVALID],
    ['year', '1994', 1994],
    ['year', 'PG', INVALID],
    ['genres', ' Crime,Drama , ', 'Crime, Drama'],
    ['text', '  padded  ', 'padded'],
    ['integer', '   ', null],
  ] as const)('%s "%s" → %p', (kind, text, value) => {
    expect(coerce(kind, text)).toBe(value);
  });

  it('derives movie_id from title and year, deterministically', () => {
    expect(deriveMovieId('The Godfather: Part II', 1974)).toBe('the-godfather-part-ii-1974');
    expect(deriveMovieId('Amélie', 2001)).toBe('amelie-2001');
    expect(deriveMovieId('千と千尋の神隠し', 2001)).toBe('千と千尋の神隠し-2001');
    expect(deriveMovieId('!!!', 1999)).toBe('untitled-1999');
  });

  it('is published as JSON for the Glue job, and as the table DDL', () => {
    const json = contractJson() as { inputColumns: { name: string }[] };
    expect(json.inputColumns.map((c) => c.name)).toContain('imdb_rating');
    const ddl = createTableSql();
    expect(ddl).toMatch(/CREATE TABLE IF NOT EXISTS movies/);
    expect(ddl).toMatch(/imdb_rating DECIMAL\(3,1\)/);
    expect(ddl).toMatch(/PRIMARY KEY \(movie_id\)/);
  });
});

describe('reading a drop', () => {
  it('maps the Kaggle layout to canonical typed values', async () => {
    const [row] = await rows(
      `${KAGGLE}\r\nhttps://x/p.jpg,The Long Harbor,1994,A,142 min,"Crime, Drama",9.3,"A ""quoted"" plot, with commas",80,Ada Novak,B,C,D,E,"2,343,110","28,341,469"\r\n`,
    );
    expect(row!.problems).toEqual([]);
    expect(row!.values).toMatchObject({
      movie_id: 'the-long-harbor-1994',
      title: 'The Long Harbor',
      release_year: 1994,
      runtime_minutes: 142,
      genres: 'Crime, Drama',
      primary_genre: 'Crime',
      imdb_rating: 9.3,
      overview: 'A "quoted" plot, with commas',
      meta_score: 80,
      votes: 2343110,
      gross_usd: 28341469,
      poster_url: 'https://x/p.jpg',
    });
  });

  it('keeps two films with one title as two ids, and uses an id column when present', async () => {
    const derived = await rows('title,release_year,imdb_rating\nHarbor,1960,8\nHarbor,1988,7.9\n');
    expect(derived.map((r) => r.values.movie_id)).toEqual(['harbor-1960', 'harbor-1988']);
    const given = await rows('id,title,release_year,imdb_rating\ntt01,Harbor,1960,8\n,Harbor,1988,7.9\n');
    expect(given.map((r) => r.values.movie_id)).toEqual(['tt01', 'harbor-1988']);
  });

  it('turns row-level defects into problems, not errors', async () => {
    const out = await rows('title,release_year,imdb_rating,runtime\nA,PG,8,90 min\nB,1999\nC,2001,x,1 min\n');
    expect(out.map((r) => r.problems)).toEqual([
      ['release_year is not a four-digit year'],
      ['expected 4 fields, found 2'],
      ['imdb_rating is not a number'],
    ]);
    expect(out[0]!.values.release_year).toBeNull();
  });

  it('fails a row whose text is too long for its table column (in UTF-8 bytes, as Redshift counts)', async () => {
    const out = await rows(
      `title,release_year,imdb_rating,certificate,genres\nA,2000,8,${'x'.repeat(33)},Drama\nB,2001,8,PG,${'é'.repeat(33)}\nC,2002,8,${'é'.repeat(16)},Drama\n`,
    );
    expect(out.map((r) => r.problems)).toEqual([
      ['certificate is longer than 32 bytes'],
      ['the first genre is longer than 64 bytes'],
      [],
    ]);
  });

  it('keeps unknown columns as raw text (a blank string is not NULL there)', async () => {
    const [row] = await rows('title,release_year,imdb_rating,Studio\nA,2000,8,\n');
    expect(row!.values.studio).toBe('');
  });

  it.each([
    ['', /drop\.csv: the file is empty/],
    ['\uFEFF', /the file is empty/],
    [`${KAGGLE}\r\n`, /drop\.csv: the file has a header but no data rows/],
    [
      'Poster_Link,Series_Title,Certificate\nx,y,z\n',
      /drop\.csv:1: missing required columns: release_year \(also accepted: released_year, year\); imdb_rating \(also accepted: rating, imdb_score\)/,
    ],
    ['title;release_year;imdb_rating\na;1;2\n', /drop\.csv:1: the header is separated by semicolons/],
    ['title\trelease_year\timdb_rating\n', /separated by tabs/],
    ['title,Title,release_year,imdb_rating\n', /columns 1 \("title"\) and 2 \("Title"\) both name "title"/],
    [
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n',
      /drop\.csv:1: this is a Git LFS pointer, not the data/,
    ],
    ['title,release_year,imdb_rating\n"A,1999,8\n', /drop\.csv:2: a quoted field is never closed/],
  ])('file-level error for %j', async (text, message) => {
    expect((await fileError(text)).message).toMatch(message);
  });
});
