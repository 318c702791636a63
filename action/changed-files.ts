/**
 * Which data files an event changed: on push, `git diff` between `before` and `after` (a new
 * branch's all-zero `before`, force pushes and shallow clones handled by fetching what is
 * missing); on pull_request, the PR's files through the API (paginated); on workflow_dispatch,
 * every file the glob matches. Only added or modified files count. Each is then checked: inside
 * the workspace, a regular file (no symlinks), a .csv, and not a Git LFS pointer. A name with a
 * control character is refused file by file (refusedName), before anything reads it. A changed
 * movies.mapping brings in the data files it maps.
 */
import { execFile } from 'node:child_process';
import { lstat, open } from 'node:fs/promises';
import { isAbsolute, join, normalize, posix } from 'node:path';
import { promisify } from 'node:util';
import { codePointName, controlCharacterIn } from '../contract/inert-text.ts';
import { MAPPING_FILE, mappingPathFor } from '../contract/mapping-location.ts';
import { findDataFiles, globToRegExp } from './find-files.ts';

const run = promisify(execFile);
const ZERO = /^0{40}$/;
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

export interface EventContext {
  readonly eventName: string;
  readonly payload: {
    readonly before?: string;
    readonly after?: string;
    readonly forced?: boolean;
    readonly pull_request?: { readonly number: number };
  };
  readonly repo: { readonly owner: string; readonly repo: string };
}

/** Lists a PR's files (added/modified), paginated. Injected so tests fake only GitHub's API. */
export type PullRequestFiles = (pullNumber: number) => Promise<{ filename: string; status: string }[]>;

export async function changedDataFiles(
  workspace: string,
  glob: string,
  context: EventContext,
  prFiles: PullRequestFiles | undefined,
): Promise<string[]> {
  const pattern = globToRegExp(glob.replace(/^\.\//, ''));
  let candidates: string[];
  if (context.eventName === 'push')
    candidates = await pushedFiles(workspace, context.payload.before, context.payload.after);
  else if (context.eventName === 'pull_request' || context.eventName === 'pull_request_target') {
    const pr = context.payload.pull_request;
    if (!pr) throw new Error('The pull_request event has no pull request in its payload.');
    if (!prFiles) throw new Error("Listing the pull request's files needs the github-token input.");
    candidates = (await prFiles(pr.number))
      .filter((f) => ['added', 'modified', 'renamed', 'copied', 'changed'].includes(f.status))
      .map((f) => f.filename);
  } else return findDataFiles(workspace, glob); // workflow_dispatch, schedule, ...: every matching file
  const files = [...new Set([...candidates, ...(await mappedBy(workspace, glob, candidates))])]
    .filter((f) => pattern.test(f))
    .sort();
  for (const f of files) if (!refusedName(f)) await checkDataFile(workspace, f, glob);
  return files;
}

/**
 * The data files a changed movies.mapping reads: a new mapping changes how they load, so they are
 * checked (and, once merged, dropped) again though their own bytes did not change.
 */
async function mappedBy(workspace: string, glob: string, changed: readonly string[]): Promise<string[]> {
  const mappings = new Set(changed.filter((f) => posix.basename(f) === MAPPING_FILE));
  if (!mappings.size) return [];
  const files = await findDataFiles(workspace, glob);
  return files.filter((f) => mappings.has(mappingPathFor(workspace, f) ?? ''));
}

/**
 * Why a data file's name is refused, or null. A control character (a newline, a bare CR, a bidi
 * override) would let the name start its own line in the log, where the runner reads workflow
 * commands, or in the Markdown of the summary and the PR comment.
 */
export function refusedName(file: string): string | null {
  const found = controlCharacterIn(file);
  if (!found) return null;
  return `the file name has a control character (${codePointName(found.char)} at character ${found.position}), which logs and reports cannot show as it is; rename the file`;
}

async function pushedFiles(
  workspace: string,
  before: string | undefined,
  after: string | undefined,
): Promise<string[]> {
  if (!after || ZERO.test(after)) return []; // a deleted branch
  const git = async (...args: string[]): Promise<string> =>
    (await run('git', args, { cwd: workspace, maxBuffer: 64 << 20 })).stdout;
  const has = async (sha: string): Promise<boolean> =>
    git('cat-file', '-e', `${sha}^{commit}`).then(
      () => true,
      () => false,
    );
  const fetch = async (sha: string): Promise<void> => {
    // Shallow clones (actions/checkout's default) lack the old commit: fetch just enough of it.
    await git('fetch', '--no-tags', '--depth=1', 'origin', sha).catch(() => undefined);
  };
  if (!(await has(after))) await fetch(after);
  let range: string[];
  if (!before || ZERO.test(before)) {
    // A new branch: the files of the pushed commit itself (with its parent when there is one).
    range = (await has(`${after}^`)) ? [`${after}^`, after] : ['--root', after];
  } else {
    if (!(await has(before))) await fetch(before);
    if (!(await has(before)))
      throw new Error(
        `The commit before the push (${before.slice(0, 12)}) is not available, even after fetching it; was it force-pushed away?`,
      );
    range = [before, after];
  }
  const out =
    range[0] === '--root'
      ? await git(
          'diff-tree',
          '-r',
          '--no-commit-id',
          '--name-only',
          '--diff-filter=AM',
          '-z',
          '--root',
          after,
        )
      : await git('diff', '--name-only', '--diff-filter=AM', '-z', ...range);
  return out.split('\0').filter(Boolean);
}

/** Refuse, naming the file, anything that is not a regular CSV file inside the workspace with real data. */
export async function checkDataFile(workspace: string, file: string, glob: string): Promise<void> {
  const rel = normalize(file);
  if (isAbsolute(rel) || rel.startsWith('..')) throw new Error(`${file} is outside the workspace.`);
  const st = await lstat(join(workspace, rel)).catch(() => null);
  if (!st)
    throw new Error(`${file} was changed but is not in the workspace (check out the commit being reported).`);
  if (st.isSymbolicLink())
    throw new Error(`${file} is a symbolic link; data files must be regular files in the repository.`);
  if (!st.isFile()) throw new Error(`${file} is not a regular file.`);
  if (!/\.csv$/i.test(file))
    throw new Error(`${file} matches "${glob}" but is not a .csv file; narrow the path input.`);
  const handle = await open(join(workspace, rel), 'r');
  try {
    const head = Buffer.alloc(LFS_POINTER.length);
    await handle.read(head, 0, head.length, 0);
    if (head.toString('latin1') === LFS_POINTER)
      throw new Error(
        `${file} is a Git LFS pointer, not the data: check out with LFS enabled (actions/checkout with lfs: true).`,
      );
  } finally {
    await handle.close();
  }
}
