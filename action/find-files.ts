/**
 * The data files a glob names inside the workspace. Our own small glob (`**`, `*`, `?`, `{a,b}`)
 * keeps the Action free of third-party matching code. Refuses, naming the file: symlinks, paths
 * that leave the workspace, and non-CSV files matched by a glob that is too wide.
 */
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new Error(`The glob "${glob}" has an unclosed '{'.`);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((alt) => globToRegExp(alt).source.slice(1, -1))
        .join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Workspace-relative paths (with '/') of the files the glob matches, sorted. */
export async function findDataFiles(workspace: string, glob: string): Promise<string[]> {
  if (isAbsolute(glob) || glob.split('/').includes('..'))
    throw new Error(
      `The path "${glob}" leaves the workspace; give a glob relative to it, such as data/**/*.csv.`,
    );
  const pattern = globToRegExp(glob.replace(/^\.\//, ''));
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      const rel = relative(workspace, full).split(sep).join('/');
      if (entry.isDirectory())
        await walk(full); // symlinked directories are not followed
      else if (pattern.test(rel)) {
        if ((await lstat(full)).isSymbolicLink())
          throw new Error(`${rel} is a symbolic link; data files must be regular files in the repository.`);
        if (!/\.csv$/i.test(rel))
          throw new Error(`${rel} matches "${glob}" but is not a .csv file; narrow the path input.`);
        found.push(rel);
      }
    }
  };
  await walk(workspace);
  return found.sort();
}
