/**
 * A drop's status as the Action and the CLI report it, how bad each is, which fail a step, and
 * its icon. The pipeline's own statuses are the outcome's (outcome.ts); the rest say how far a
 * drop got without one.
 */
import type { OutcomeStatus } from './outcome.ts';

export type DropStatus = OutcomeStatus | 'TIMEOUT' | 'UPLOADED' | 'DRY_RUN';

/** Best to worst. A dry run did nothing; an upload not followed is not yet known to be clean. */
const RANK: Readonly<Record<DropStatus, number>> = {
  DRY_RUN: 0,
  SUCCEEDED: 1,
  UPLOADED: 2,
  PARTIAL: 3,
  QUALITY_FAILED: 4,
  TIMEOUT: 5,
  FAILED: 6,
};

/** The worst of several statuses (SUCCEEDED when there are none: nothing to do), for the overall status. */
export function worstStatus<S extends DropStatus>(statuses: readonly S[]): S | 'SUCCEEDED' {
  if (!statuses.length) return 'SUCCEEDED';
  return statuses.reduce((worst, s) => (RANK[s] > RANK[worst] ? s : worst));
}

/** Which statuses fail a step: from a PARTIAL load, a rejected batch, an error (or timeout), or none. */
export type FailOn = 'quality' | 'partial' | 'error' | 'never';
export const FAIL_ON: readonly FailOn[] = ['quality', 'partial', 'error', 'never'];

/** The best status each fail-on fails on: that one and every worse one fail. */
const FAILS_FROM: Record<Exclude<FailOn, 'never'>, DropStatus> = {
  partial: 'PARTIAL',
  quality: 'QUALITY_FAILED',
  error: 'TIMEOUT',
};

export function fails(status: DropStatus, failOn: FailOn): boolean {
  return failOn !== 'never' && RANK[status] >= RANK[FAILS_FROM[failOn]];
}

/** Each status's icon: the emoji, and the same emoji as a Slack shortcode (the bot's messages use those). */
export const STATUS_ICON: Readonly<Record<DropStatus, { readonly emoji: string; readonly slack: string }>> = {
  SUCCEEDED: { emoji: '✅', slack: ':white_check_mark:' },
  PARTIAL: { emoji: '⚠️', slack: ':warning:' },
  QUALITY_FAILED: { emoji: '❌', slack: ':x:' },
  FAILED: { emoji: '💥', slack: ':boom:' },
  TIMEOUT: { emoji: '⏱️', slack: ':stopwatch:' },
  UPLOADED: { emoji: '⬆️', slack: ':arrow_up:' },
  DRY_RUN: { emoji: '📝', slack: ':memo:' },
};
