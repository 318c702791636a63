/**
 * The Glue job's results JSON, built by its library (movies_outcome) from what Glue reports
 * (rule outcomes and each row's failed rules, taken here from the TypeScript evaluation of
 * the same file), equals the local twin's for the same drop: the state machine, the Action
 * and the bot read one shape from either engine.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDrop } from '../../../contract/check.ts';
import { contractJson } from '../../../contract/contract.ts';
import { CsvReader } from '../../../contract/csv.ts';
import { etlResults, quarantineFileKey, quarantineRowsKey, sourceOf } from '../../../contract/etl-results.ts';
import { glueJobArguments } from '../../../infra/constructs/glue-arguments.ts';
import { readChunks } from '../../../contract/read-chunks.ts';

const EXECUTION = 'exec-0001';
const METADATA = { commit: '0123abc', 'pull-request': '7', actor: 'octocat', repository: 'movies-gds/data' };

async function twinResults(file: string, key: string) {
  const dir = mkdtempSync(join(tmpdir(), 'results-'));
  try {
    const badPath = join(dir, 'bad.csv');
    const check = await checkDrop(key, readChunks(file), { badPath, goodPath: join(dir, 'good.csv') });
    const failedRules: Record<number, string[]> = {};
    let header: string[] | null = null;
    new CsvReader((r) => {
      const f = Array.from({ length: r.count }, (_, i) => r.field(i));
      if (!header) return void (header = f);
      failedRules[Number(f[0])] = JSON.parse(f[header.indexOf('DataQualityRulesFail')]!) as string[];
    }).push(readFileSync(badPath));
    const source = sourceOf(
      'movies-gds',
      key,
      '"9b2cf535f27731c974343645a3985328"',
      statSync(file).size,
      METADATA,
    );
    const rejected = check.decision.verdict === 'QUALITY_FAILED';
    const quarantine = rejected
      ? quarantineFileKey(EXECUTION, key)
      : check.decision.rowsToQuarantine
        ? quarantineRowsKey(EXECUTION)
        : null;
    const results = etlResults(
      check,
      source,
      quarantine && `s3://movies-gds/${quarantine}`,
      check.decision.rowsToLoad,
    );
    // What Glue's EvaluateDataQuality reports for the same ruleset, in its own shape.
    const outcomes = check.result.RuleResults.map((r) => ({
      Rule: r.Description,
      Outcome: r.Result === 'PASS' ? 'Passed' : r.Result === 'FAIL' ? 'Failed' : 'Error',
      FailureReason: r.EvaluationMessage ?? null,
      EvaluatedMetrics: r.EvaluatedMetrics,
    }));
    return { results, outcomes, failedRules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function glueResults(file: string, key: string, outcomes: unknown, failedRules: Record<number, string[]>) {
  const program = `
import json, sys
sys.path.insert(0, "infra/glue/lib")
import movies_contract, movies_drop, movies_outcome, movies_quarantine
q = json.load(sys.stdin)
data = open(q["file"], "rb").read()
rows = list(movies_drop.read_drop(q["contract"], q["key"], lambda a, b: data[a:b], len(data), 101))
rules, gate_texts = movies_outcome.rule_results(q["outcomes"], q["gates"])
reasons, failed = {}, 0
# As the job's Spark aggregation: per reason, the rows and the first five lines.
for line, values, problems, fields in rows:
    rules_failed = q["failedRules"].get(str(line), [])
    if not movies_contract.quarantined([p[0] for p in problems], rules_failed, gate_texts):
        continue
    failed += 1
    for reason in [p[0] for p in problems] + [r for r in rules_failed if r not in gate_texts]:
        reasons.setdefault(reason, []).append(line)
top = sorted(({"reason": r, "rows": len(l), "lines": sorted(l)[:5]} for r, l in reasons.items()), key=lambda r: (-r["rows"], r["lines"][0]))[:10]
decision = movies_contract.decide_batch(rules, len(rows) - failed, failed)
quality = movies_outcome.quality(rules, decision, len(rows), failed, top)
source = movies_outcome.source("movies-gds", q["key"], '"9b2cf535f27731c974343645a3985328"', q["size"], q["metadata"])
if decision["verdict"] == "QUALITY_FAILED":
    target = movies_quarantine.file_key("bad_data/", q["execution"], q["key"])
else:
    target = movies_quarantine.rows_key("bad_data/", q["execution"]) if failed else None
print(json.dumps(movies_outcome.results(decision, source, quality, q["contract"]["table"], target and f"s3://movies-gds/{target}")))
`;
  const r = spawnSync('python3', ['-B', '-c', program], {
    encoding: 'utf8',
    input: JSON.stringify({
      contract: contractJson(),
      file,
      key,
      size: statSync(file).size,
      metadata: METADATA,
      execution: EXECUTION,
      outcomes,
      gates: JSON.parse(glueJobArguments().gates) as unknown,
      failedRules,
    }),
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe('the Glue job’s results JSON', () => {
  it.each([
    ['data/clean/movies_2024_q1.csv', 'SUCCEEDED'],
    ['data/defects/movies_2024_q2.csv', 'PARTIAL'],
    ['data/rejected/movies_2024_q3.csv', 'QUALITY_FAILED'],
  ])('equals the twin’s for %s (%s)', async (file, status) => {
    const key = `input_data/${file.slice('data/'.length)}`;
    const twin = await twinResults(file, key);
    expect(twin.results.status).toBe(status);
    expect(glueResults(file, key, twin.outcomes, twin.failedRules)).toEqual(
      JSON.parse(JSON.stringify(twin.results)),
    );
  });
});
