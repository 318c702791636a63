/** The Action: read inputs, do the work, report; any failure becomes one `core.setFailed` line. */
import * as core from '@actions/core';
import { readInputs, shouldFail } from './inputs.ts';
import { findDataFiles } from './find-files.ts';
import { renderSummary } from './report.ts';
import { validateFiles, overallStatus } from './validate.ts';

export async function run(): Promise<void> {
  try {
    const inputs = readInputs(core.getInput);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const files = await findDataFiles(workspace, inputs.path);
    core.info(`Validating ${files.length} file${files.length === 1 ? '' : 's'} matching ${inputs.path}`);
    const reports = await validateFiles(workspace, files, inputs.rules);
    for (const r of reports) {
      core.info(`${r.file}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
      for (const a of r.annotations)
        core.warning(a.message, { file: r.file, startLine: a.line, title: a.title });
      if (r.error) core.error(r.error, { file: r.file, ...(r.errorLine ? { startLine: r.errorLine } : {}) });
    }
    const status = overallStatus(reports);
    const markdown = renderSummary(reports, status);
    core.setOutput('status', status);
    core.setOutput('results', JSON.stringify(reports.map(({ annotations: _a, errorLine: _l, ...r }) => r)));
    core.setOutput('report-markdown', markdown);
    await core.summary.addRaw(markdown).write();
    const failing = reports.filter((r) => shouldFail(inputs.failOn, r.status));
    if (failing.length)
      core.setFailed(
        `${failing.map((r) => `${r.file} is ${r.status}`).join('; ')} (fail-on: ${inputs.failOn}).`,
      );
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
