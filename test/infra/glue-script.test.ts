import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { coerce, deriveMovieId, EXPECTED, INVALID } from '../../infra/pipeline/coerce.ts';
import { contractJson, normalizeHeader, type Coercion } from '../../infra/pipeline/contract.ts';
import { copySourceOf } from '../../infra/pipeline/etl-results.ts';

const SCRIPT = 'infra/glue/movie_etl.py';

/** Runs the script's pure helpers (the section between two markers) in Python on the given cases. */
function python(cases: object): {
  coerce: unknown[];
  headers: string[];
  ids: string[];
  expected: Record<string, string>;
  kinds: string[];
} {
  const program = `
import json, re, sys, unicodedata
src = open(${JSON.stringify(SCRIPT)}).read()
start = src.index("# --- the contract's coercions")
end = src.index("def canonical(")
helpers = src[start:end].split("# --- reading the drop ---")[0]
env = {"re": re, "unicodedata": unicodedata, "T": type("T", (), {k: staticmethod(lambda *a: None) for k in ["StringType", "IntegerType", "LongType", "DoubleType"]})}
exec(helpers, env)
cases = json.load(sys.stdin)
def value(v):
    return "<INVALID>" if v is env["INVALID"] else v
print(json.dumps({
    "coerce": [value(env["coerce"](c["kind"], c["text"])) for c in cases["coerce"]],
    "headers": [env["normalize_header"](h) for h in cases["headers"]],
    "ids": [env["derive_movie_id"](t, y) for t, y in cases["ids"]],
    "expected": env["EXPECTED"],
    "kinds": sorted(env["COERCIONS"].keys()),
}))
`;
  const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof python>;
}

describe('the Glue ETL script', () => {
  it('compiles', () => {
    const r = spawnSync('python3', ['-m', 'py_compile', SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('coerces, normalizes headers and derives ids exactly as the TypeScript contract does', () => {
    const texts = [
      '142 min',
      '2h 22m',
      'unknown',
      '28,341,469',
      '$1,234.56',
      '2,343,110',
      '-40',
      '4.5',
      '9.3',
      '8',
      'nine',
      '1994',
      'PG',
      ' Crime,Drama , ',
      '  padded  ',
      '   ',
      '12,34',
      '9007199254740993',
    ];
    const kinds = Object.keys(EXPECTED) as Coercion[];
    const cases = kinds.flatMap((kind) => texts.map((text) => ({ kind, text })));
    const headers = [
      'Series_Title',
      'Released Year',
      'releasedYear',
      'IMDB_Rating',
      '\uFEFFPoster_Link',
      'Box Office (USD)',
      'No_of_Votes',
    ];
    const ids: [string, number][] = [
      ['The Godfather: Part II', 1974],
      ['Amélie', 2001],
      ['千と千尋の神隠し', 2001],
      ['!!!', 1999],
    ];
    const py = python({ coerce: cases, headers, ids });
    const ts = cases.map(({ kind, text }) => {
      const v = coerce(kind, text);
      return v === INVALID ? '<INVALID>' : v;
    });
    expect(py.coerce).toEqual(ts);
    expect(py.headers).toEqual(headers.map(normalizeHeader));
    expect(py.ids).toEqual(ids.map(([t, y]) => deriveMovieId(t, y)));
    expect(py.expected).toEqual(EXPECTED);
  });

  it('knows every coercion the contract JSON it receives can name', () => {
    const contract = contractJson() as { inputColumns: { coercion: string }[] };
    const py = python({ coerce: [], headers: [], ids: [] });
    for (const c of contract.inputColumns) expect(py.kinds).toContain(c.coercion);
  });

  it('URL-encodes the archive step’s CopySource exactly as the local ETL step does', () => {
    const keys = [
      'input_data/2024/q2.csv',
      'input_data/Amélie + friends.csv',
      "input_data/100% (final) [v2]!*'~;:@&=$,.csv",
      'input_data/a#b?c=d&e.csv',
      'input_data/千と千尋の神隠し/😀.csv',
      'input_data//double slash/.csv',
    ];
    const program = `
import json, sys
from urllib.parse import quote
src = open(${JSON.stringify(SCRIPT)}).read()
env = {"quote": quote}
exec(src[src.index("# --- the archive step's CopySource"):src.index("def write_results(")], env)
print(json.dumps([env["copy_source"]("movies-gds-lake", k) for k in json.load(sys.stdin)]))
`;
    const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(keys), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(keys.map((k) => copySourceOf('movies-gds-lake', k)));
    expect(copySourceOf('movies-gds-lake', keys[1]!)).toBe(
      'movies-gds-lake/input_data/Am%C3%A9lie%20%2B%20friends.csv',
    );
  });
});
