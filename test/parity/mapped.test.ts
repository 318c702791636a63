/**
 * The two engines on drops read through a column mapping: the same rows (values after the
 * transforms, problems showing the raw text) or the same file error, in every chunk and split
 * size. And the same places to look for the mapping, in the repository and in the bucket.
 */
import { describe, expect, it } from '@jest/globals';
import { findMapping, mappingCandidates } from '../../contract/mapping-location.ts';
import { INPUT_COLUMNS } from '../../contract/contract.ts';
import { disagreementText, runParity, type FileParity } from '../../scripts/parity/compare.ts';
import { runGlueLib } from '../infra/glue/glue-load-sql.ts';

const EXPORT = Buffer.from(
  [
    'Title,US Gross,Worldwide Gross,Production Budget,Release Date,MPAA Rating,Running Time min,Distributor,Major Genre,Director,IMDB Rating,IMDB Votes',
    'The Land Girls,146083,146083,8000000,Jun 12 1998,R,,Gramercy,,,6.1,1071',
    '"First Love, Last Rites",10876,10876,300000,Aug 07 1998,r,95,Strand,Drama/Romance,,6.9,207',
    'Out of Sight,37562568,"$77,745,568",48000000,Jun 26 1998,R,2h 3m,Universal,Comedy,Steven Soderbergh,7,"53,000"',
    'Bathory,0,3436763,15000000,Jul 10 2008,,,,,,6.1,"1,446"',
    'Unknown Date,100,100,100,sometime in 1999,PG,90,,Drama,,5.5,10',
    'Bad Rating,100,100,100,Jan 1 2001,PG,1:30,,Horror / Thriller,,great,10',
    'Nine Months,,,,Dec 31 1995,,103 min,,,,,',
  ].join('\n') + '\n',
);

const MAPPING = `# A box-office export
title: Title
release_year: Release Date | year from date "MMM d yyyy"
certificate: MPAA Rating | upper
runtime_minutes: Running Time min | minutes
genres: Major Genre | list "/"
gross_usd: Worldwide Gross | money
votes: IMDB Votes | number ","
overview: = "From a box-office export"
`;

function parity(bytes: Buffer, mapping: string): Promise<FileParity[]> {
  return runParity([
    { name: 'export.csv', bytes, mapping: { file: 'data/box/movies.mapping', text: mapping } },
  ]);
}

function disagreements(report: readonly FileParity[]): string {
  return report.flatMap((f) => f.disagreements.map((d) => disagreementText(f.name, d))).join('');
}

describe('a drop read through a mapping, by both engines', () => {
  it('agree on every row, and the values are the transformed ones', async () => {
    const [file] = await parity(EXPORT, MAPPING);
    expect(disagreements([file!])).toBe('');
    expect(file!.error).toBeNull();
    expect(file!.rows).toBe(7);
    const rows = file!.reference.rows;
    const value = (line: number, column: string): unknown => {
      const names = [
        'movie_id',
        'title',
        'release_year',
        'certificate',
        'runtime_minutes',
        'genres',
        'imdb_rating',
      ];
      return rows.find((r) => r.line === line)!.values[names.indexOf(column)];
    };
    expect(value(3, 'movie_id')).toBe('first-love-last-rites-1998');
    expect(value(3, 'certificate')).toBe('R');
    expect(value(3, 'genres')).toBe('Drama, Romance');
    expect(value(4, 'runtime_minutes')).toBe(123);
    expect(value(7, 'runtime_minutes')).toBe(90);
    expect(value(7, 'genres')).toBe('Horror, Thriller');
    // A cell the transform cannot read keeps its text, and the problem shows it.
    expect(rows.find((r) => r.line === 6)!.problems).toEqual([
      'release_year is not a four-digit year ("sometime in 1999")',
    ]);
    expect(rows.find((r) => r.line === 7)!.problems).toEqual(['imdb_rating is not a number ("great")']);
    // The constant is a column the drop has, not an absent one.
    expect(file!.reference.layout).toEqual({
      absent: ['meta_score', 'star1', 'star2', 'star3', 'star4', 'poster_url'],
      extra: ['us_gross', 'production_budget', 'distributor'],
      derivedId: true,
    });
  });

  it.each([
    [
      'a source the header lacks',
      'title: Title\nrelease_year: Release Year\nimdb_rating: IMDB Rating\n',
      '1: release_year is mapped from "Release Year" (data/box/movies.mapping:2), which the header does not have; the headers are: "Title", "US Gross"',
    ],
    [
      'a header naming a column the mapping reads from elsewhere',
      'release_year: Release Date | year from date "MMM d yyyy"\ntitle: Distributor\n',
      '1: column 1 ("Title") names title, which data/box/movies.mapping:2 maps from elsewhere; drop that mapping line or rename the column',
    ],
    [
      'a mapping that does not parse',
      'title: Title\nrelease_year: Release Date | year from date "MMM d"\n',
      '2: the date format "MMM d" has no year (yyyy or yy)',
    ],
    [
      'a required column still missing',
      'title: Title\nimdb_rating: IMDB Rating\n',
      '1: missing required column: release_year (also accepted: released_year, year). Headers not recognised:',
    ],
  ])('agree on %s, word for word', async (_, mapping, expected) => {
    const [file] = await parity(EXPORT, mapping);
    expect(disagreements([file!])).toBe('');
    expect(`${file!.error!.line}: ${file!.error!.reason}`).toContain(expected);
  });

  it('a constant gives a required column to a file without it', async () => {
    const drop = Buffer.from('Name,Score\nHeat,8.3\n');
    const [file] = await parity(drop, 'title: Name\nrelease_year: = "1995"\nimdb_rating: Score\n');
    expect(disagreements([file!])).toBe('');
    expect(file!.reference.rows[0]!.values.slice(0, 3)).toEqual(['heat-1995', 'Heat', 1995]);
  });
});

describe('where a drop finds its mapping', () => {
  const cases: [string, string][] = [
    ['data/box/2024/q1.csv', 'data'],
    ['data/q1.csv', 'data'],
    ['q1.csv', ''],
    ['exports/box/q1.csv', ''],
    ['input_data/box/2024/q1.csv', 'input_data/'],
    ['input_data/q1.csv', 'input_data/'],
    ['elsewhere/q1.csv', 'input_data/'],
  ];

  it('nearest folder first, up to the top of the drops, alike in both engines', () => {
    const typescript = cases.map(([path, top]) => mappingCandidates(path, top));
    const python = JSON.parse(
      runGlueLib(
        'import json, sys\nfrom movies_mapping import mapping_keys\nprint(json.dumps([mapping_keys(p, t) for p, t in json.loads(sys.argv[1])]))',
        JSON.stringify(cases),
      ),
    ) as string[][];
    expect(python).toEqual(typescript);
    expect(typescript[0]).toEqual([
      'data/box/2024/movies.mapping',
      'data/box/movies.mapping',
      'data/movies.mapping',
    ]);
    expect(typescript[2]).toEqual(['movies.mapping']);
    expect(typescript[3]).toEqual(['exports/box/movies.mapping', 'exports/movies.mapping', 'movies.mapping']);
    expect(typescript[5]).toEqual(['input_data/movies.mapping']);
    expect(typescript[6]).toEqual(['elsewhere/movies.mapping']);
  });
});

describe('which mapping a run reads, from the drop metadata', () => {
  const objects: Record<string, { text: string; etag: string }> = {
    'input_data/box/movies.mapping': {
      text: 'release_year: Release Date | year from date "MMM d yyyy"\n',
      etag: 'e1',
    },
    'input_data/movies.mapping': { text: 'title: Name\n', etag: 'e2' },
    'input_data/bad/movies.mapping': { text: 'runtime: Length\n', etag: 'e3' },
  };
  const cases: [string, Record<string, string>][] = [
    ['input_data/box/2024/a.csv', {}],
    ['input_data/other/a.csv', {}],
    ['input_data/box/a.csv', { mapping: 'input_data/box/movies.mapping', 'mapping-etag': '"e1"' }],
    ['input_data/box/a.csv', { mapping: 'input_data/box/movies.mapping', 'mapping-etag': 'old' }],
    ['input_data/box/a.csv', { mapping: 'none' }],
    ['input_data/box/a.csv', { mapping: 'results/x.json', 'mapping-etag': 'e1' }],
    ['input_data/bad/a.csv', {}],
  ];

  it('is the same mapping, or the same sentence, in both engines', () => {
    const typescript = cases.map(([key, metadata]) => {
      try {
        const m = findMapping(key, 'input_data/', metadata, (k, etag) =>
          objects[k] && (etag === undefined || etag === objects[k].etag)
            ? Buffer.from(objects[k].text)
            : null,
        );
        return m && { file: m.file, columns: m.columns.map((c) => c.column) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    });
    const python = JSON.parse(
      runGlueLib(
        `import json, sys
from movies_mapping import MappingError, find_mapping
objects, cases, columns = json.loads(sys.argv[1])
get = lambda k, etag: objects[k]["text"].encode() if k in objects and etag in (None, objects[k]["etag"]) else None
out = []
for key, metadata in cases:
    try:
        m = find_mapping(key, "input_data/", metadata, get, columns)
        out.append(m and {"file": m["file"], "columns": [c["column"] for c in m["columns"]]})
    except (ValueError, MappingError) as err:
        out.append({"error": str(err)})
print(json.dumps(out))`,
        JSON.stringify([objects, cases, INPUT_COLUMNS.map((c) => c.name)]),
      ),
    ) as unknown[];
    expect(python).toEqual(typescript);
    expect(
      typescript.map((r) => (r && 'file' in r ? r.file : r && (r as { error: string }).error.slice(0, 40))),
    ).toEqual([
      'input_data/box/movies.mapping',
      'input_data/movies.mapping',
      'input_data/box/movies.mapping',
      'input_data/box/a.csv was checked with th',
      null,
      'input_data/box/a.csv names the mapping "',
      'input_data/bad/movies.mapping:1: "runtim',
    ]);
  });
});
