/**
 * The quarantine object as the Glue job writes it: the rows of a drop read by the Python
 * library (infra/glue/lib), routed and written by movies_quarantine in multipart parts, given
 * each row's rule outcomes (which Glue's EvaluateDataQuality would supply on AWS).
 */
import { spawnSync } from 'node:child_process';
import { contractJson } from '../../../contract/contract.ts';
import { CsvReader } from '../../../contract/csv.ts';

export interface RuleOutcomes {
  readonly pass: readonly string[];
  readonly fail: readonly string[];
  readonly skip: readonly string[];
}

/** bad.csv's bytes from the Python writer; `outcomes` by source line, `gates` the batch gates' texts. */
export function pythonQuarantine(
  file: string,
  outcomes: Readonly<Record<number, RuleOutcomes>>,
  gates: readonly string[],
  partBytes = 64,
): { bytes: Buffer; parts: number } {
  const program = `
import json, sys
sys.path.insert(0, "infra/glue/lib")
import movies_contract, movies_drop, movies_quarantine as Q
request = json.load(sys.stdin)
data = open(request["file"], "rb").read()
read_range = lambda a, b: data[a:b]
drop = movies_drop.open_drop(request["contract"], request["file"], read_range, len(data), 97)
rows = [row for split in drop.splits for row in movies_drop.drop_rows(drop, read_range, split)]
parts = []
writer = Q.Parts(lambda n, body: parts.append((n, body)), request["partBytes"])
writer.write(Q.header_line(drop.layout.header))
for line, values, problems, fields in rows:
    o = request["outcomes"].get(str(line), {"pass": [], "fail": [], "skip": []})
    if movies_contract.quarantined([p[0] for p in problems], o["fail"], set(request["gates"])):
        writer.write(Q.bad_line(len(drop.layout.header), line, fields, [movies_contract.describe(p) for p in problems],
                                o["pass"], o["fail"], o["skip"]))
writer.close()
assert [n for n, _ in parts] == list(range(1, len(parts) + 1))
sys.stdout.buffer.write(json.dumps({"parts": len(parts)}).encode() + b"\\n" + b"".join(body for _, body in parts))
`;
  const r = spawnSync('python3', ['-B', '-c', program], {
    input: JSON.stringify({ contract: contractJson(), file, outcomes, gates, partBytes }),
  });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const newline = r.stdout.indexOf(10);
  const { parts } = JSON.parse(r.stdout.subarray(0, newline).toString()) as { parts: number };
  return { bytes: r.stdout.subarray(newline + 1), parts };
}

/** Each quarantined row's rule outcomes as a bad.csv records them, by source line. */
export function ruleOutcomesOf(badCsv: Buffer): Record<number, RuleOutcomes> {
  const outcomes: Record<number, RuleOutcomes> = {};
  let header: string[] | null = null;
  new CsvReader((r) => {
    const f = Array.from({ length: r.count }, (_, i) => r.field(i));
    if (!header) return void (header = f);
    const at = (name: string): string[] => JSON.parse(f[header!.indexOf(name)]!) as string[];
    outcomes[Number(f[0])] = {
      pass: at('DataQualityRulesPass'),
      fail: at('DataQualityRulesFail'),
      skip: at('DataQualityRulesSkip'),
    };
  }).push(badCsv);
  return outcomes;
}
