/**
 * The HTTP bot's memory of handled SNS messages, kept in a small file so that a message replayed
 * after a restart is not posted again. An hour of ids is enough: the verifier refuses a message
 * signed longer ago. Written whole to a temporary file and renamed over the old one, so a crash
 * leaves the old or the new, never half; a file that cannot be read as one is ignored, said once.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { logSafe } from './log-safe.ts';
import type { SeenStore } from './message-memory.ts';

/** How long a handled id is kept: as long as a signed message is accepted. */
export const KEEP_MS = 60 * 60 * 1000;

export function seenMessagesFile(
  path: string,
  warn: (kind: string, line: string) => void,
  now: () => number = Date.now,
): SeenStore {
  const recent = (entries: Iterable<readonly [string, number]>): [string, number][] =>
    [...entries].filter(([, at]) => now() - at < KEEP_MS).map(([id, at]) => [id, at]);
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        warn(
          'seen-file',
          `The handled SNS messages in ${path} could not be read, so none are known: ${logSafe((err as Error).message)}`,
        );
        return [];
      }
      const seen = parse(text);
      if (!seen) {
        warn(
          'seen-file',
          `The handled SNS messages in ${path} are not as the bot writes them, so none are known; the file is replaced on the next one.`,
        );
        return [];
      }
      return recent(seen);
    },
    save(entries) {
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(tmp, JSON.stringify({ version: 1, seen: recent(entries) }));
        renameSync(tmp, path);
      } catch (err) {
        // The post is done: only a replay after a restart would go through. Said, not thrown.
        warn(
          'seen-file',
          `The handled SNS messages could not be written to ${path}: ${logSafe((err as Error).message)}`,
        );
      }
    },
  };
}

/** The entries of a file written by save(), or null. */
function parse(text: string): [string, number][] | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const seen = (v as { version?: unknown; seen?: unknown } | null)?.seen;
  if ((v as { version?: unknown }).version !== 1 || !Array.isArray(seen)) return null;
  const ok = seen.every(
    (e: unknown) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && Number.isFinite(e[1]),
  );
  return ok ? (seen as [string, number][]) : null;
}
