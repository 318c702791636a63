import { describe, expect, it } from '@jest/globals';
import { INPUT_COLUMNS } from '../../contract/contract.ts';
import { applyTransform, MappingError, parseMapping, type Transform } from '../../contract/mapping.ts';
import { nonStdlibImports, runGlueLib } from '../infra/glue/glue-load-sql.ts';

const BOX_OFFICE = `# Box-office exports: how their headers name the contract's columns
title: Title
release_year: Release Date | year from date "MMM d yyyy"
runtime_minutes: Running Time min | minutes
gross_usd: Worldwide Gross | money
certificate: MPAA Rating | upper
genres: Major Genre | list "/"
director: Director
imdb_rating: "IMDB Rating"
votes: IMDB Votes | number ","
overview: = "No overview # yet"
`;

/** What the Glue job's twin (movies_mapping.py) makes of each text: the mapping, or its error. */
function pythonParses(texts: readonly string[]): unknown[] {
  const program = `
import json, sys
from movies_mapping import MappingError, parse_mapping
texts, columns = json.loads(sys.argv[1])
out = []
for t in texts:
    try:
        out.append(parse_mapping(t, "movies.mapping", columns))
    except MappingError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`;
  return JSON.parse(
    runGlueLib(program, JSON.stringify([texts, INPUT_COLUMNS.map((c) => c.name)])),
  ) as unknown[];
}

function typescriptParses(texts: readonly string[]): unknown[] {
  return texts.map((t) => {
    try {
      return parseMapping(t, 'movies.mapping');
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      return { error: err.message };
    }
  });
}

const BAD: [string, string][] = [
  ['title Title', 'movies.mapping:1: expected "column: source header", found "title Title"'],
  [
    'titel: Title',
    'movies.mapping:1: "titel" is not a contract column (did you mean title?); the columns are: ' +
      INPUT_COLUMNS.map((c) => c.name).join(', '),
  ],
  [
    'runtime: Running Time',
    'movies.mapping:1: "runtime" is not a contract column (did you mean runtime_minutes?); the columns are: ' +
      INPUT_COLUMNS.map((c) => c.name).join(', '),
  ],
  [
    'Worldwide Gross: gross',
    'movies.mapping:1: "Worldwide Gross" is not a contract column; the columns are: ' +
      INPUT_COLUMNS.map((c) => c.name).join(', '),
  ],
  ['title: Title\n\ntitle: Name', 'movies.mapping:3: title is mapped twice (lines 1 and 3); keep one'],
  [
    'release_year: Date | year',
    'movies.mapping:1: "year" is not a transform; the transforms are: year from date "FORMAT", minutes, money, number "," or number ".", list "SEPARATOR", trim, lower, upper, title',
  ],
  [
    'release_year: Date | year from date',
    'movies.mapping:1: year from date needs its format, e.g. year from date "MMM d yyyy"',
  ],
  [
    'release_year: Date | year from date "MMM d"',
    'movies.mapping:1: the date format "MMM d" has no year (yyyy or yy)',
  ],
  [
    'release_year: Date | year from date "MMM d YYYY"',
    'movies.mapping:1: the date format "MMM d YYYY" has "Y", which is none of yyyy, yy, MMMM, MMM, MM, M, dd, d',
  ],
  [
    'votes: Votes | number',
    'movies.mapping:1: number needs its thousands separator: number "," (1,234.5) or number "." (1.234,5)',
  ],
  ['genres: Genre | list', 'movies.mapping:1: list needs its separator, e.g. list "/"'],
  ['title: Title | upper "x"', 'movies.mapping:1: the transform upper takes no argument'],
  ['certificate: = NR', 'movies.mapping:1: the constant for certificate must be in double quotes: = "value"'],
  ['title:   # nothing', 'movies.mapping:1: title has no source header (or = "constant")'],
];

describe('a column mapping', () => {
  it('reads the box-office example: sources, constants, transforms in order, comments', () => {
    const m = parseMapping(BOX_OFFICE, 'data/boxoffice/movies.mapping');
    expect(
      m.columns.map((c) => [
        c.column,
        c.source ?? `= ${c.constant}`,
        c.transforms.map((t) => t.kind),
        c.line,
      ]),
    ).toEqual([
      ['title', 'Title', [], 2],
      ['release_year', 'Release Date', ['year-from-date'], 3],
      ['runtime_minutes', 'Running Time min', ['minutes'], 4],
      ['gross_usd', 'Worldwide Gross', ['money'], 5],
      ['certificate', 'MPAA Rating', ['upper'], 6],
      ['genres', 'Major Genre', ['list'], 7],
      ['director', 'Director', [], 8],
      ['imdb_rating', 'IMDB Rating', [], 9],
      ['votes', 'IMDB Votes', ['number'], 10],
      ['overview', '= No overview # yet', [], 11],
    ]);
  });

  it.each(BAD)('refuses %j with one sentence naming the line', (text, message) => {
    expect(() => parseMapping(text, 'movies.mapping')).toThrow(MappingError);
    expect(typescriptParses([text])).toEqual([{ error: message }]);
  });

  it("has a twin in the Glue job's library that imports nothing outside the standard library", () => {
    expect(nonStdlibImports('movies_mapping')).toEqual([]);
  });

  it('reads every file as the Glue job does, errors included, word for word', () => {
    const texts = [
      BOX_OFFICE,
      ...BAD.map(([t]) => t),
      'title: "Title | with a bar" | trim\r\nvotes: N | number "."',
    ];
    expect(pythonParses(texts)).toEqual(typescriptParses(texts));
  });
});

const VALUES: [Transform, string, string][] = [
  [{ kind: 'year-from-date', format: 'MMM d yyyy' }, 'Jun 12 1998', '1998'],
  [{ kind: 'year-from-date', format: 'MMM d yyyy' }, '  Jun  2 1998 ', '1998'],
  [{ kind: 'year-from-date', format: 'MMM d yyyy' }, 'Jux 12 1998', 'Jux 12 1998'],
  [{ kind: 'year-from-date', format: 'MMMM d, yyyy' }, 'December 25, 1946', '1946'],
  [{ kind: 'year-from-date', format: 'MMMM d, yyyy' }, 'Dec 25, 1946', 'Dec 25, 1946'],
  [{ kind: 'year-from-date', format: 'd-MMM-yy' }, '12-Jun-98', '1998'],
  [{ kind: 'year-from-date', format: 'd-MMM-yy' }, '12-Jun-46', '2046'],
  [{ kind: 'year-from-date', format: 'dd/MM/yyyy' }, '01/02/2003', '2003'],
  [{ kind: 'year-from-date', format: 'dd/MM/yyyy' }, '1/2/2003', '1/2/2003'],
  [{ kind: 'year-from-date', format: 'yyyy.MM.dd' }, '2003x02x01', '2003x02x01'],
  [{ kind: 'minutes' }, '1h 42m', '102'],
  [{ kind: 'minutes' }, '1:42', '102'],
  [{ kind: 'minutes' }, '142 min', '142'],
  [{ kind: 'minutes' }, 'long', 'long'],
  [{ kind: 'money' }, '$1,234,567.89', '1234567'],
  [{ kind: 'money' }, '€ 12 000', '12000'],
  [{ kind: 'money' }, 'n/a', 'n/a'],
  [{ kind: 'number', thousands: ',' }, '2,343,110', '2343110'],
  [{ kind: 'number', thousands: '.' }, '1.234,5', '1234.5'],
  [{ kind: 'number', thousands: '.' }, 'many', 'many'],
  [{ kind: 'list', separator: '/' }, 'Drama/ Comedy //Romance', 'Drama, Comedy, Romance'],
  [{ kind: 'trim' }, ' \t x y \t', 'x y'],
  [{ kind: 'lower' }, 'PG-13 Ünïcode', 'pg-13 ünïcode'],
  [{ kind: 'upper' }, 'pg-13', 'PG-13'],
  [{ kind: 'title' }, "the GODFATHER part ii: o'brien's", "The Godfather Part Ii: O'brien's"],
];

describe('the transforms', () => {
  it.each(VALUES)('%j turns %j into %j', (t, text, expected) => {
    expect(applyTransform(t, text)).toBe(expected);
  });

  it('give the Glue job the same values, cell for cell', () => {
    const program = `
import json, sys
from movies_mapping import apply_transform
print(json.dumps([apply_transform(t, text) for t, text in json.loads(sys.argv[1])]))
`;
    const python = JSON.parse(
      runGlueLib(program, JSON.stringify(VALUES.map(([t, text]) => [t, text]))),
    ) as string[];
    expect(python).toEqual(VALUES.map(([t, text]) => applyTransform(t, text)));
  });
});
