import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stateMachineDefinition } from '../../../local-aws/asl.ts';
import { DEFAULT_RULESET_PATH } from '../../../contract/check.ts';
import { coerce, deriveMovieId, EXPECTED, INVALID } from '../../../contract/coerce.ts';
import { contractJson, normalizeHeader, type Coercion } from '../../../contract/contract.ts';
import { glueJobArguments } from '../../../infra/constructs/glue-arguments.ts';
import { copySourceOf } from '../../../contract/etl-results.ts';
import { logicalId, synth } from '../stacks/synth.ts';

const SCRIPT = 'infra/glue/movie_etl.py';

const LIB = 'infra/glue/lib';

/** The contract library's helpers (infra/glue/lib) and the script's Spark types, in Python, on the given cases. */
function python(cases: object): {
  coerce: unknown[];
  headers: string[];
  ids: string[];
  expected: Record<string, string>;
  kinds: string[];
  sparkTypes: Record<string, string>;
} {
  const program = `
import ast, json, sys
sys.path.insert(0, ${JSON.stringify(LIB)})
import movies_contract as M
tree = ast.parse(open(${JSON.stringify(SCRIPT)}).read())
spark = next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SPARK_TYPES")
T = type("T", (), {k: staticmethod(lambda *a, k=k: k) for k in ["StringType", "IntegerType", "LongType", "DoubleType"]})
cases = json.load(sys.stdin)
def value(v):
    return "<INVALID>" if v is M.INVALID else v
print(json.dumps({
    "coerce": [value(M.coerce(c["kind"], c["text"])) for c in cases["coerce"]],
    "headers": [M.normalize_header(h) for h in cases["headers"]],
    "ids": [M.derive_movie_id(t, y) for t, y in cases["ids"]],
    "expected": M.EXPECTED,
    "kinds": sorted(M.COERCIONS.keys()),
    "sparkTypes": eval(compile(ast.Expression(spark), "SPARK_TYPES", "eval"), {"T": T}),
}))
`;
  const r = spawnSync('python3', ['-B', '-c', program], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof python>;
}

/** Runs a Python program that reads the script; stdin and stdout are JSON. */
function runPython<T>(program: string, input: unknown = null): T {
  const r = spawnSync('python3', ['-B', '-c', program], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** The job's DefaultArguments as synthesized, and the arguments the state machine adds per run. */
function jobArguments(): { defaults: Record<string, unknown>; perRun: string[] } {
  const { json } = synth();
  const job = json.Resources[logicalId(json, 'AWS::Glue::Job')]!.Properties!;
  const asl = stateMachineDefinition(json) as {
    States: Record<string, { Parameters?: { Arguments?: Record<string, unknown> } }>;
  };
  const perRun = Object.keys(asl.States['Run ETL job']!.Parameters!.Arguments!);
  return {
    defaults: job.DefaultArguments as Record<string, unknown>,
    perRun: perRun.map((k) => k.replace(/\.\$$/, '')),
  };
}

describe('the Glue ETL script', () => {
  it('compiles', () => {
    const modules = readdirSync(LIB)
      .filter((f) => f.endsWith('.py'))
      .map((f) => `${LIB}/${f}`);
    const program = 'import sys\nfor f in sys.argv[1:]: compile(open(f).read(), f, "exec")';
    const r = spawnSync('python3', ['-c', program, SCRIPT, ...modules], { encoding: 'utf8' });
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

  it('decodes the synthesized job arguments into exactly the TypeScript contract, ruleset and gates', () => {
    const { defaults } = jobArguments();
    const encoded = {
      contract: defaults['--contract'],
      ruleset: defaults['--ruleset'],
      gates: defaults['--gates'],
    };
    // Nothing the command line could split or take for an option.
    for (const value of Object.values(encoded)) expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const py = runPython<{ contract: unknown; ruleset: string; gates: unknown }>(
      `
import base64, json, re, sys
src = open(${JSON.stringify(SCRIPT)}).read()
section = src[src.index("# --- job arguments"):src.index("# --- end of job arguments ---")]
env = {"ARGS": json.load(sys.stdin), "base64": base64, "json": json, "re": re}
exec(section, env)
print(json.dumps({"contract": env["CONTRACT"], "ruleset": env["RULESET"], "gates": env["GATES"]}))
`,
      encoded,
    );
    const ts = glueJobArguments();
    expect(py.contract).toEqual(contractJson());
    expect(py.ruleset).toBe(readFileSync(DEFAULT_RULESET_PATH, 'utf8'));
    const gates = JSON.parse(ts.gates) as { rule: string; gate: boolean }[];
    expect(py.gates).toEqual(gates);
  });

  it('quarantines a row for the row checks it fails, never for a batch gate (the quality policy)', () => {
    const gates = (JSON.parse(glueJobArguments().gates) as { rule: string; gate: boolean }[])
      .filter((g) => g.gate)
      .map((g) => g.rule);
    const cases = [
      { problems: [], failed: ['Completeness "title" > 0.95', 'IsComplete "title"'] },
      { problems: [], failed: ['ColumnValues "imdb_rating" between 0.9 and 10.1 with threshold > 0.9'] },
      { problems: [], failed: ['ColumnValues "runtime_minutes" > 0'] }, // not in the ruleset: quarantines, on doubt
      { problems: ['release_year is not a four-digit year'], failed: [] },
      { problems: [], failed: [] },
      { problems: [], failed: null },
    ];
    const routed = runPython<boolean[]>(
      `
import json, sys
sys.path.insert(0, ${JSON.stringify(LIB)})
import movies_contract as M
cases = json.load(sys.stdin)
print(json.dumps([M.quarantined(c["problems"], c["failed"], set(cases["gates"])) for c in cases["rows"]]))
`,
      { gates, rows: cases },
    );
    expect(gates).toContain('Completeness "title" > 0.95');
    expect(routed).toEqual([true, false, true, true, false, false]);
  });

  it('matches Glue’s rule outcomes to the gates by position, and refuses outcomes out of order', () => {
    const gates = JSON.parse(glueJobArguments().gates) as { rule: string; gate: boolean }[];
    const outcome = (rule: string) => ({ Rule: rule, Outcome: 'Passed', EvaluatedMetrics: {} });
    const r = runPython<{ reformatted: boolean[]; swapped: string }>(
      `
import json, sys
sys.path.insert(0, ${JSON.stringify(LIB)})
import movies_outcome
q = json.load(sys.stdin)
rules, _ = movies_outcome.rule_results(q["reformatted"], q["gates"])
try:
    movies_outcome.rule_results(q["swapped"], q["gates"])
    swapped = "matched"
except RuntimeError as err:
    swapped = str(err)
print(json.dumps({"reformatted": [r["gate"] for r in rules], "swapped": swapped}))
`,
      {
        gates,
        // Glue may space and write numbers its own way: the rules are still the same ones.
        reformatted: gates.map((g) => outcome(g.rule.replace(/ /g, '  ').replace(/0\.9\b/g, '0.90'))),
        // A gate and a row check on the same column, in each other's place.
        swapped: gates.map((g, i) => outcome(gates[i === 1 ? 4 : i === 4 ? 1 : i]!.rule)),
      },
    );
    expect(r.reformatted).toEqual(gates.map((g) => g.gate));
    expect(r.swapped).toMatch(
      /^Glue reported rule 2 as 'IsComplete "title"', but rule 2 of the ruleset is 'Completeness "title" > 0.95': its outcomes cannot be matched to the batch gates, so nothing was loaded$/,
    );
  });

  it('resolves exactly the arguments the job and the state machine pass, and reads no other', () => {
    const py = runPython<{ resolved: string[]; read: string[]; copyRole: string[] }>(`
import ast, json
tree = ast.parse(open(${JSON.stringify(SCRIPT)}).read())
resolved, read, copy_role = [], set(), []
for node in ast.walk(tree):
    if isinstance(node, ast.Dict):
        copy_role += [ast.unparse(v) for k, v in zip(node.keys, node.values) if getattr(k, "value", None) == "aws_iam_role"]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getResolvedOptions":
        resolved = [e.value for e in node.args[1].elts]
    if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "ARGS":
        read.add(node.slice.value)
print(json.dumps({"resolved": resolved, "read": sorted(read), "copyRole": copy_role}))
`);
    const { defaults, perRun } = jobArguments();
    // Glue's own parameters are dashed (--job-language); the job's are snake_case, plus TempDir.
    const ours = Object.keys(defaults)
      .filter((k) => /^--[A-Za-z_]+$/.test(k))
      .map((k) => k.slice(2));
    const passed = [...ours, ...perRun.map((k) => k.slice(2)), 'JOB_NAME']; // Glue passes JOB_NAME
    expect([...py.resolved].sort()).toEqual([...new Set(passed)].sort());
    for (const name of py.read) expect(py.resolved).toContain(name);
    // Redshift's COPY runs with the role the stack passes, not the job's own credentials.
    expect(py.copyRole).toEqual(["ARGS['redshift_role']"]);
    expect(ours).toContain('redshift_role');
  });

  it('gives every value a coercion can produce a Spark type that holds it', () => {
    // Spark refuses a row whose value does not fit its column: the job would fail, not quarantine.
    const range: Record<string, [number, number]> = {
      IntegerType: [-(2 ** 31), 2 ** 31 - 1],
      LongType: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
      DoubleType: [-Infinity, Infinity],
    };
    const { sparkTypes } = python({ coerce: [], headers: [], ids: [] });
    const extremes = [
      '9007199254740991',
      '-9007199254740991',
      '9007199254740991 min',
      '9,007,199,254,740,991',
    ];
    for (const kind of Object.keys(EXPECTED) as Coercion[]) {
      for (const text of extremes) {
        const v = coerce(kind, text);
        if (typeof v !== 'number') continue;
        const [min, max] = range[sparkTypes[kind]!]!;
        expect([kind, text, v >= min && v <= max]).toEqual([kind, text, true]);
      }
    }
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
sys.path.insert(0, ${JSON.stringify(LIB)})
import movies_outcome
print(json.dumps([movies_outcome.copy_source("movies-gds-lake", k) for k in json.load(sys.stdin)]))
`;
    const r = spawnSync('python3', ['-c', program], { input: JSON.stringify(keys), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(keys.map((k) => copySourceOf('movies-gds-lake', k)));
    expect(copySourceOf('movies-gds-lake', keys[1]!)).toBe(
      'movies-gds-lake/input_data/Am%C3%A9lie%20%2B%20friends.csv',
    );
  });
});
