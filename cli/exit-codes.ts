/**
 * What `movies` exits with, one table for every command, so that a script can tell "some rows
 * quarantined" from "rejected" from "the pipeline failed". With several files, the largest code.
 */
import type { DropStatus } from '../contract/status.ts';

export const EXIT = {
  /** Done: every row loads (or would), the ruleset is valid, the question answered. */
  ok: 0,
  /** PARTIAL: some rows are (or would be) quarantined; the rest load. */
  partial: 1,
  /** A usage error, or a file that cannot be a drop (which file, line and why on stderr). */
  usage: 2,
  /** QUALITY_FAILED: a batch gate rejected the file (or no row passed); nothing loads. */
  rejected: 3,
  /** FAILED or TIMEOUT: the pipeline or the warehouse failed, or did not finish in time. */
  failed: 4,
} as const;

export const EXIT_CODES_HELP = `Exit codes (with several files, the largest):
  0  done: every row loads (validate, drop), the ruleset is valid, the question answered
  1  PARTIAL: some rows are quarantined, the rest load
  2  a usage error, or a file that cannot be a drop (stderr says which file, line and why)
  3  QUALITY_FAILED: a batch gate rejected the file; nothing loads
  4  FAILED or TIMEOUT: the pipeline or the warehouse failed, or did not answer in time
`;

/** A drop's exit code by its status: an upload not followed (or a dry run) is done. */
export function exitForStatus(status: DropStatus): number {
  switch (status) {
    case 'SUCCEEDED':
    case 'UPLOADED':
    case 'DRY_RUN':
      return EXIT.ok;
    case 'PARTIAL':
      return EXIT.partial;
    case 'QUALITY_FAILED':
      return EXIT.rejected;
    case 'FAILED':
    case 'TIMEOUT':
      return EXIT.failed;
  }
}
