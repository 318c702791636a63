/**
 * The Python file-level flow (infra/glue/lib/movies_drop.py) as the Glue job will use it: no
 * Spark or AWS import, the first pass run through any `map_splits` (here one that runs the
 * tasks last to first, as parallel tasks may finish), and each split's rows read on their own.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { contractJson } from '../../contract/contract.ts';

function python<T>(program: string, input: unknown): T {
  const r = spawnSync('python3', ['-c', program], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: 'infra/glue/lib' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

describe('movies_drop', () => {
  it('imports nothing but the standard library and the two contract modules', () => {
    const imports = python<string[]>(
      `
import ast, json, sys
tree = ast.parse(open("infra/glue/lib/movies_drop.py").read())
names = set()
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        names.update(a.name.split(".")[0] for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        names.add(node.module.split(".")[0])
print(json.dumps(sorted(names)))
`,
      null,
    );
    expect(imports).toEqual(['movies_contract', 'movies_csv']);
  });

  it('reads the same rows whatever order the first pass runs its tasks in, and split by split', () => {
    const files = [
      'data/clean/movies_2024_q1.csv',
      'data/defects/movies_2024_q2.csv',
      'test/fixtures/parity/quoting.csv',
    ];
    const result = python<{ plain: unknown[]; reversed: unknown[]; bySplit: unknown[]; rows: number[] }[]>(
      `
import json, sys
from movies_drop import drop_rows, open_drop, read_drop

def backwards(f, items):
    items = list(items)
    done = {i: f(items[i]) for i in reversed(range(len(items)))}
    return [done[i] for i in range(len(items))]

request = json.load(sys.stdin)
out = []
for path in request["files"]:
    data = open(path, "rb").read()
    rr = lambda a, b: data[a:b]
    plain = [list(r) for r in read_drop(request["contract"], path, rr, len(data), 97)]
    reversed_ = [list(r) for r in read_drop(request["contract"], path, rr, len(data), 97, map_splits=backwards)]
    drop = open_drop(request["contract"], path, rr, len(data), 97)
    by_split = [list(r) for s in drop.splits for r in drop_rows(drop, rr, s)]
    out.append({"plain": plain, "reversed": reversed_, "bySplit": by_split, "rows": [drop.rows, len(drop.splits)]})
print(json.dumps(out))
`,
      { contract: contractJson(), files },
    );
    expect(result.map((r) => r.rows[0])).toEqual([25, 30, 13]);
    for (const r of result) {
      expect(r.rows[1]).toBeGreaterThan(5);
      expect(r.reversed).toEqual(r.plain);
      expect(r.bySplit).toEqual(r.plain);
    }
  });

  it('raises the file error before any row', () => {
    const result = python<[number | null, string, number][]>(
      `
import json, sys
from movies_contract import DropFileError
from movies_drop import read_drop
request = json.load(sys.stdin)
out = []
for data in (b"title,year,rating\\nA,1999,8\\nB,2000,9\\n\\xff\\n", b"", b"title,year,rating\\n", b"x,y\\n1,2\\n"):
    rows = 0
    try:
        for _ in read_drop(request["contract"], "f.csv", lambda a, b: data[a:b], len(data), 5):
            rows += 1
    except DropFileError as err:
        out.append([err.line, err.reason, rows])
print(json.dumps(out))
`,
      { contract: contractJson() },
    );
    expect(result).toEqual([
      [4, 'the file is not valid UTF-8', 0],
      [null, 'the file is empty', 0],
      [null, 'the file has a header but no data rows', 0],
      [1, expect.stringMatching(/^missing required columns: title/), 0],
    ]);
  });
});
