/** `movies drop <csv...>`: upload drops and (with --wait) follow them through the pipeline. */
import { S3Client } from '@aws-sdk/client-s3';
import { isAbsolute, relative, resolve } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { inert } from '../../contract/inert-text.ts';
import { counted } from '../../contract/outcome-view.ts';
import { STATUS_ICON, type DropStatus } from '../../contract/status.ts';
import { dropFiles, type DropResult } from '../../drop-client/drop.ts';
import { LOCAL_REGION } from '../../local-aws/names.ts';
import { EXIT, exitForStatus } from '../exit-codes.ts';
import type { Io } from '../io.ts';
import { pointsAtTwin } from '../twin-defaults.ts';
import { unreadable } from './files.ts';

export interface DropCommandOptions {
  readonly bucket: string;
  readonly prefix: string;
  readonly stateMachineArn: string | undefined;
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
}

/**
 * A status's emoji in a terminal: many draw an emoji written with U+FE0F (⚠️ ⏱️ ⬆️) one column
 * wide, so it gets a space to line up with the others; a dry run is a dot.
 */
function icon(status: DropStatus): string {
  if (status === 'DRY_RUN') return '·';
  const { emoji } = STATUS_ICON[status];
  return emoji.endsWith('\uFE0F') ? `${emoji} ` : emoji;
}

export async function drop(files: readonly string[], options: DropCommandOptions, io: Io): Promise<number> {
  for (const f of files) {
    const problem = unreadable(f);
    if (problem) {
      io.stderr.write(`movies: ${inert(f)}: ${problem}\n`);
      return 2;
    }
  }
  if (options.wait && !options.stateMachineArn) {
    io.stderr.write(
      'movies: --wait needs the pipeline: give --state-machine-arn (or set MOVIES_STATE_MACHINE_ARN).\n',
    );
    return 2;
  }
  // The twin's region beside the twin; on AWS the one the environment or the profile names.
  const region =
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (pointsAtTwin(process.env) ? LOCAL_REGION : undefined);
  const s3 = new S3Client(region ? { region } : {});
  try {
    await s3.config.region();
  } catch {
    io.stderr.write('movies: no AWS region is set: set AWS_REGION, or a region in your AWS profile.\n');
    return EXIT.usage;
  }
  // Named from the working directory when inside it (data/x.csv keys as x.csv), else by the absolute path.
  const named = files.map((f) => {
    const fromHere = relative(process.cwd(), resolve(f));
    return fromHere.startsWith('..') || isAbsolute(fromHere) ? resolve(f) : fromHere;
  });
  const results = await dropFiles({ s3, sfn: new SFNClient(region ? { region } : {}) }, named, {
    bucket: options.bucket,
    prefix: options.prefix,
    ...(options.stateMachineArn ? { stateMachineArn: options.stateMachineArn } : {}),
    wait: options.wait,
    timeoutMs: options.timeoutMinutes * 60_000,
    pollMs: options.pollSeconds * 1000,
    concurrency: 4,
    dryRun: false,
    origin: { actor: process.env.USER ?? 'movies-cli' },
    log: (line) => io.stdout.write(`${inert(line)}\n`),
  });
  io.stdout.write('\n');
  for (const r of results) io.stdout.write(render(r));
  return Math.max(EXIT.ok, ...results.map((r) => exitForStatus(r.status)));
}

function render(r: DropResult): string {
  // Names and messages through inert(): this may print in a CI log, where a line can be a command.
  const lines = [`${icon(r.status)} ${inert(r.file)} → ${inert(r.key)}: ${r.status}`];
  if (r.rowsLoaded !== undefined)
    lines.push(
      `   ${counted(r.rowsLoaded, 'row')} loaded, ${r.rowsQuarantined ?? 0} quarantined${r.quarantineUri ? ` (${r.quarantineUri})` : ''}`,
    );
  for (const f of r.failedRules ?? [])
    lines.push(`   ${f.gate ? 'gate' : 'rows'} ${f.result} ${inert(f.rule)}`);
  if (r.error) lines.push(`   ${inert(r.error)}`);
  if (r.executionArn) lines.push(`   execution ${r.executionArn}`);
  return `${lines.join('\n')}\n`;
}
