/**
 * The Action: validate the changed drops on a pull request; upload them on merge (push) and
 * follow the pipeline to its outcome. Reports in the job summary, one sticky PR comment and the
 * outputs; any failure becomes one `core.setFailed` sentence.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { inert } from '../contract/inert-text.ts';
import { fails, worstStatus, type DropStatus } from '../contract/status.ts';
import { dropFiles, keyFor, type DropResult } from '../drop-client/drop.ts';
import { changedDataFiles, refusedName } from './changed-files.ts';
import { renderDropSummary } from './drop-report.ts';
import { githubApi } from './github-api.ts';
import { readInputs, type Inputs } from './inputs.ts';
import { pullRequestOfCommit, upsertComment } from './pr-comment.ts';
import { renderSummary } from './report.ts';
import { validateFiles } from './validate.ts';

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Every log line goes through inert(): a name or a message from a drop never writes a workflow command. */
const log = (line: string): void => core.info(inert(line));

export async function run(): Promise<void> {
  try {
    const inputs = readInputs(core.getInput);
    if (inputs.githubToken) core.setSecret(inputs.githubToken);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const context = github.context;
    const api = inputs.githubToken ? githubApi(inputs.githubToken) : undefined;
    const mode =
      inputs.mode === 'auto'
        ? PULL_REQUEST_EVENTS.has(context.eventName)
          ? 'validate'
          : 'drop'
        : inputs.mode;
    const files = await changedDataFiles(workspace, inputs.path, context, api?.prFiles);
    log(
      // A manual run takes every matching file, not only changed ones.
      `${mode === 'validate' ? 'Validating' : 'Dropping'} ${files.length} ${context.eventName === 'workflow_dispatch' ? 'matching' : 'changed'} data file${files.length === 1 ? '' : 's'} (${inputs.path}).`,
    );

    const { status, markdown, failures } =
      mode === 'validate'
        ? await validate(workspace, files, inputs)
        : await drop(workspace, files, inputs, context);
    core.setOutput('status', status);
    core.setOutput('report-markdown', markdown);
    await core.summary.addRaw(markdown).write();
    await comment(api, context, markdown);
    if (failures.length) core.setFailed(inert(`${failures.join('; ')} (fail-on: ${inputs.failOn}).`));
  } catch (err) {
    core.setFailed(inert(err instanceof Error ? err.message : String(err)));
  }
}

/** What one mode found: the overall status, the report in Markdown, and the files that fail the step. */
interface ModeResult {
  status: DropStatus;
  markdown: string;
  /** "file is STATUS" for each file that fails the step per fail-on. */
  failures: string[];
}

async function validate(workspace: string, files: string[], inputs: Inputs): Promise<ModeResult> {
  const reports = await validateFiles(workspace, files, inputs.rules);
  for (const r of reports) {
    log(`${r.file}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
    // A refused name is never an annotation's file; every other name is escaped by @actions/core there.
    const at = refusedName(r.file) ? {} : { file: r.file };
    for (const a of r.annotations) core.warning(a.message, { ...at, startLine: a.line, title: a.title });
    // A mapping's error is noted on the mapping (its name is the file's folder or one above it, so no safer or worse).
    const where = r.errorFile && !refusedName(r.errorFile) ? { file: r.errorFile } : at;
    if (r.error) core.error(inert(r.error), { ...where, ...(r.errorLine ? { startLine: r.errorLine } : {}) });
  }
  const status = worstStatus(reports.map((r) => r.status));
  core.setOutput(
    'results',
    JSON.stringify(reports.map(({ annotations: _a, errorLine: _l, errorFile: _f, ...r }) => r)),
  );
  core.setOutput('execution-arns', '[]');
  return {
    status,
    markdown: renderSummary(reports, status),
    failures: reports.filter((r) => fails(r.status, inputs.failOn)).map((r) => `${r.file} is ${r.status}`),
  };
}

async function drop(
  workspace: string,
  files: string[],
  inputs: Inputs,
  context: typeof github.context,
): Promise<ModeResult> {
  if (!inputs.bucket)
    throw new Error('Input bucket is required to drop files (the stack output BucketName).');
  if (inputs.wait && !inputs.dryRun && !inputs.stateMachineArn)
    throw new Error(
      'Input state-machine-arn is required to wait for the pipeline (the stack output StateMachineArn), or set wait: false.',
    );
  const aws = {
    ...(inputs.region ? { region: inputs.region } : {}),
    ...(inputs.endpoint ? { endpoint: inputs.endpoint, forcePathStyle: true } : {}),
  };
  if (!inputs.dryRun) await requireRegion(new S3Client(aws));
  const pr = context.payload.pull_request?.number;
  // A refused name is never uploaded: its result says why, in the order the files came.
  const refused = new Map<string, DropResult>();
  for (const file of files) {
    const why = refusedName(file);
    if (why) refused.set(file, { file, key: keyFor(file, inputs.prefix), status: 'FAILED', error: why });
  }
  const dropped = await dropFiles(
    { s3: new S3Client(aws), sfn: new SFNClient(aws) },
    files.filter((f) => !refused.has(f)),
    {
      root: workspace,
      bucket: inputs.bucket,
      prefix: inputs.prefix,
      ...(inputs.stateMachineArn ? { stateMachineArn: inputs.stateMachineArn } : {}),
      wait: inputs.wait,
      timeoutMs: inputs.timeoutMinutes * 60_000,
      pollMs: inputs.pollIntervalSeconds * 1000,
      concurrency: inputs.concurrency,
      dryRun: inputs.dryRun,
      origin: {
        commit: context.sha,
        repository: `${context.repo.owner}/${context.repo.repo}`,
        ref: context.ref,
        ...(pr ? { pullRequest: String(pr) } : {}),
        actor: context.actor,
      },
      log,
    },
  );
  const results = files.map((f) => refused.get(f) ?? dropped.shift()!);
  const status = worstStatus(results.map((r) => r.status));
  core.setOutput('results', JSON.stringify(results));
  core.setOutput(
    'execution-arns',
    JSON.stringify(results.flatMap((r) => (r.executionArn ? [r.executionArn] : []))),
  );
  return {
    status,
    markdown: renderDropSummary(results, status),
    failures: results
      .filter((r) => fails(r.status, inputs.failOn))
      .map((r) => `${r.file} is ${r.status}${r.error ? ` (${r.error})` : ''}`),
  };
}

/** Without a region every call fails the same way, file by file: say it once, with the fix. */
async function requireRegion(s3: S3Client): Promise<void> {
  try {
    await s3.config.region();
  } catch {
    throw new Error(
      'No AWS region is set: give the region input, or set AWS_REGION (aws-actions/configure-aws-credentials sets it from its aws-region).',
    );
  }
}

/** The sticky PR comment: on the PR itself, or on push on the PR the commit came from. A failure to comment is a warning only. */
async function comment(
  api: ReturnType<typeof githubApi> | undefined,
  context: typeof github.context,
  markdown: string,
): Promise<void> {
  if (!api) return;
  try {
    const pr =
      context.payload.pull_request?.number ??
      (context.eventName === 'push' ? await pullRequestOfCommit(api.comments, context.sha) : undefined);
    if (pr) log(`PR #${pr}: comment ${await upsertComment(api.comments, pr, markdown)}.`);
  } catch (err) {
    core.warning(inert(`Could not comment on the pull request: ${(err as Error).message}`));
  }
}
