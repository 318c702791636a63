/** Reading user-named files with one clear sentence when that fails. */
import { readFileSync, statSync } from 'node:fs';
import { inert } from '../../contract/inert-text.ts';
import type { Io } from '../io.ts';

/** The file's text, or null after telling the user why it could not be read. */
export function readText(path: string, io: Io): string | null {
  const problem = unreadable(path);
  if (problem) {
    io.stderr.write(`movies: ${inert(path)}: ${problem}\n`);
    return null;
  }
  return readFileSync(path, 'utf8');
}

/** Why a path cannot be read as a file, or null if it can. */
export function unreadable(path: string): string | null {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'is a directory, not a file' : null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return `cannot be read (${code ?? 'unknown error'})`;
  }
}
