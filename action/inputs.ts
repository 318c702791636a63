/** The Action's inputs, validated up front with one clear message each. */

export type FailOn = 'quality' | 'partial' | 'error' | 'never';
export type FileStatus = 'SUCCEEDED' | 'PARTIAL' | 'QUALITY_FAILED' | 'FAILED';

export interface Inputs {
  /** Glob of data files, relative to the workspace. */
  readonly path: string;
  /** A DQDL file; undefined for the pipeline's own ruleset. */
  readonly rules: string | undefined;
  readonly failOn: FailOn;
}

const FAIL_ON: readonly FailOn[] = ['quality', 'partial', 'error', 'never'];

export function readInputs(get: (name: string) => string): Inputs {
  const path = get('path').trim() || 'data/**/*.csv';
  const rules = get('rules').trim() || undefined;
  const failOn = (get('fail-on').trim() || 'quality') as FailOn;
  if (!FAIL_ON.includes(failOn))
    throw new Error(`Input fail-on must be one of ${FAIL_ON.join(', ')}; got "${failOn}".`);
  return { path, rules, failOn };
}

/** quality: the data was rejected or could not be read; partial: also when rows were quarantined; error: only unreadable files. */
export function shouldFail(failOn: FailOn, status: FileStatus): boolean {
  switch (failOn) {
    case 'never':
      return false;
    case 'error':
      return status === 'FAILED';
    case 'quality':
      return status === 'FAILED' || status === 'QUALITY_FAILED';
    case 'partial':
      return status !== 'SUCCEEDED';
  }
}
