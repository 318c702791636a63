/** The Action's inputs, validated up front with one clear sentence each. */
import { FAIL_ON, type FailOn } from '../contract/status.ts';

export type Mode = 'auto' | 'validate' | 'drop';

export interface Inputs {
  readonly mode: Mode;
  /** Glob of data files, relative to the workspace. */
  readonly path: string;
  readonly bucket: string | undefined;
  readonly prefix: string;
  readonly stateMachineArn: string | undefined;
  readonly region: string | undefined;
  /** An S3-compatible endpoint, or the local twin. */
  readonly endpoint: string | undefined;
  /** A DQDL file; undefined for the pipeline's own ruleset. */
  readonly rules: string | undefined;
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly pollIntervalSeconds: number;
  readonly failOn: FailOn;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly githubToken: string | undefined;
}

const MODES: readonly Mode[] = ['auto', 'validate', 'drop'];

export function readInputs(get: (name: string) => string): Inputs {
  const text = (name: string): string | undefined => get(name).trim() || undefined;
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = (text(name) ?? fallback) as T;
    if (!allowed.includes(v))
      throw new Error(`Input ${name} must be one of ${allowed.join(', ')}; got "${v}".`);
    return v;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = text(name);
    if (v === undefined) return fallback;
    if (/^(true|yes|1)$/i.test(v)) return true;
    if (/^(false|no|0)$/i.test(v)) return false;
    throw new Error(`Input ${name} must be true or false; got "${v}".`);
  };
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const v = text(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`Input ${name} must be a number from ${min} to ${max}; got "${v}".`);
    return n;
  };
  const endpoint = text('endpoint');
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint))
    throw new Error(`Input endpoint must be an http(s) URL; got "${endpoint}".`);
  const arn = text('state-machine-arn');
  if (arn && !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/.test(arn))
    throw new Error(`Input state-machine-arn is not a Step Functions state machine ARN: "${arn}".`);
  return {
    mode: oneOf('mode', MODES, 'auto'),
    path: text('path') ?? 'data/**/*.csv',
    bucket: text('bucket'),
    prefix: text('prefix') ?? 'input_data/',
    stateMachineArn: arn,
    region: text('region'),
    endpoint,
    rules: text('rules'),
    wait: bool('wait', true),
    timeoutMinutes: number('timeout-minutes', 30, 0.05, 720),
    pollIntervalSeconds: number('poll-interval-seconds', 5, 0.05, 300),
    failOn: oneOf('fail-on', FAIL_ON, 'quality'),
    concurrency: Math.floor(number('concurrency', 4, 1, 32)),
    dryRun: bool('dry-run', false),
    githubToken: text('github-token'),
  };
}
