/** Child process of the benchmark: our one-pass check of a drop with the pipeline's ruleset. */
import { checkDrop } from '../../contract/check.ts';
import { readChunks } from '../../contract/read-chunks.ts';

const file = process.argv[2]!;
const started = performance.now();
const check = await checkDrop(file, readChunks(file));
const seconds = (performance.now() - started) / 1000;
const metrics: Record<string, number> = {};
for (const r of check.result.RuleResults)
  for (const [k, v] of Object.entries(r.EvaluatedMetrics)) metrics[`${r.Description} :: ${k}`] = v;
process.stdout.write(
  JSON.stringify({
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rows: check.result.AggregatedMetrics.TotalRowsProcessed,
    rowsFailed: check.result.AggregatedMetrics.TotalRowsFailed,
    metrics,
  }),
);
