/**
 * Where a drop's mapping is: a `movies.mapping` in the drop's folder or the nearest folder above
 * it, up to the top of the drops (data/ in the repository, input_data/ in the bucket). The Action
 * uploads the mapping to the key its path maps to (keyFor), so a drop finds the same mapping in
 * the repository, in the bucket and in the Glue job (movies_mapping.mapping_keys).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { MappingError, parseMapping, type Mapping } from './mapping.ts';

export const MAPPING_FILE = 'movies.mapping';

/**
 * The paths a drop's mapping may have, nearest first: `movies.mapping` in the folder of `path`
 * (a POSIX path or object key), then in each folder above it up to `top` ('' for the root). A
 * path not under `top` has only its own folder.
 */
export function mappingCandidates(path: string, top: string): string[] {
  const stop = top.replace(/\/+$/, '');
  const under = (dir: string): boolean => stop === '' || dir === stop || dir.startsWith(`${stop}/`);
  let dir = posix.dirname(path);
  if (dir === '.') dir = '';
  if (!under(dir)) return [posix.join(dir, MAPPING_FILE)];
  const out: string[] = [];
  for (;;) {
    out.push(dir === '' ? MAPPING_FILE : `${dir}/${MAPPING_FILE}`);
    if (dir === stop || dir === '') return out;
    const up = posix.dirname(dir);
    dir = up === '.' ? '' : up;
  }
}

/** The folder that tops a file's mapping search in a repository: data/ for a file under it, else the root. */
export function repositoryTop(file: string): string {
  return posix.normalize(file.replace(/\\/g, '/')).startsWith('data/') ? 'data' : '';
}

/**
 * Where the mapping for `file` (named relative to `root`, as the Action and `movies drop` name
 * files) is, relative to `root` when the file is, or null when there is none.
 */
export function mappingPathFor(root: string, file: string): string | null {
  const path = posix.normalize(file.replace(/\\/g, '/'));
  // A file outside the root (absolute, or up a `..`) is keyed by its name alone: its own folder only.
  const outside = posix.isAbsolute(path) || path === '..' || path.startsWith('../');
  const candidates = outside
    ? [posix.join(posix.dirname(path), MAPPING_FILE)]
    : mappingCandidates(path, repositoryTop(path));
  return candidates.find((c) => isFile(resolve(root, c))) ?? null;
}

/**
 * The mapping for `file` (see mappingPathFor), parsed, or null. A mapping that does not parse
 * throws MappingError; so does a link or an oversized file (a pull request chooses what the Action
 * reads, and a mapping's errors quote its lines).
 */
export function mappingFor(root: string, file: string): Mapping | null {
  const path = mappingPathFor(root, file);
  if (path === null) return null;
  const full = resolve(root, path);
  const st = lstatSync(full);
  if (st.isSymbolicLink())
    throw new MappingError(
      path,
      1,
      `${MAPPING_FILE} is a symbolic link; keep it a regular file beside the drops`,
    );
  if (st.size > MAX_MAPPING_BYTES)
    throw new MappingError(
      path,
      1,
      `${MAPPING_FILE} is larger than ${MAX_MAPPING_BYTES / 1024} KB; a mapping is a line per column`,
    );
  return parseMapping(readFileSync(full, 'utf8'), path);
}

/** Far more than a line for every contract column needs. */
export const MAX_MAPPING_BYTES = 64 * 1024;

function isFile(path: string): boolean {
  try {
    const st = lstatSync(path);
    return st.isFile() || st.isSymbolicLink();
  } catch {
    return false;
  }
}

/** The S3 user metadata an uploader sets on a drop: the mapping it checked the drop with. */
export const MAPPING_METADATA = { key: 'mapping', etag: 'mapping-etag' } as const;
/** The metadata value for a drop checked with no mapping. */
export const NO_MAPPING = 'none';

/** Where the pipeline reads a drop's mapping from (the Glue job's twin: movies_mapping.mapping_source). */
export type MappingSource =
  /** The uploader checked the drop with no mapping: none is read, whatever the bucket holds. */
  | { readonly kind: 'none' }
  /** The mapping the uploader checked the drop with, as it was then (its ETag). */
  | { readonly kind: 'pinned'; readonly key: string; readonly etag: string }
  /** A drop uploaded by hand: the nearest mapping above it, if any. */
  | { readonly kind: 'nearest'; readonly keys: readonly string[] };

/** Why a run cannot read its drop's mapping, in one sentence. */
export class MappingSourceError extends Error {}

/**
 * Which mapping a run applies to the drop at `key`, from the drop's metadata. Throws
 * MappingSourceError when the metadata names a mapping that cannot be this drop's.
 */
export function mappingSource(
  key: string,
  top: string,
  metadata: Readonly<Record<string, string>>,
): MappingSource {
  const named = metadata[MAPPING_METADATA.key];
  const keys = mappingCandidates(key, top);
  if (named === undefined) return { kind: 'nearest', keys };
  if (named === NO_MAPPING) return { kind: 'none' };
  const etag = (metadata[MAPPING_METADATA.etag] ?? '').replace(/"/g, '');
  if (!keys.includes(named) || !etag)
    throw new MappingSourceError(
      `${key} names the mapping ${JSON.stringify(named)} in its metadata, which is not a ${MAPPING_FILE} in its folder or one above it, with its ETag; upload the drop again with movies drop or the Action.`,
    );
  return { kind: 'pinned', key: named, etag };
}

/** Why a run cannot read the mapping its drop was checked with. */
export function mappingGone(key: string, mapping: string): string {
  return `${key} was checked with the mapping ${mapping}, which has changed or is gone since; upload the drop again (with its mapping) to load it.`;
}

/**
 * The mapping a run reads the drop at `key` through, parsed, or null (the Glue job's twin:
 * movies_mapping.find_mapping). `get(key, etag)` returns the object's bytes, or null when it is
 * missing or no longer has that ETag. Throws MappingSourceError or MappingError with one sentence.
 */
export function findMapping(
  key: string,
  top: string,
  metadata: Readonly<Record<string, string>>,
  get: (key: string, etag: string | undefined) => Buffer | null,
): Mapping | null {
  const where = mappingSource(key, top, metadata);
  if (where.kind === 'none') return null;
  const pinned = where.kind === 'pinned';
  for (const candidate of pinned ? [where.key] : where.keys) {
    const body = get(candidate, pinned ? where.etag : undefined);
    if (body === null) {
      if (pinned) throw new MappingSourceError(mappingGone(key, candidate));
      continue;
    }
    if (body.length > MAX_MAPPING_BYTES)
      throw new MappingSourceError(`${candidate}: a mapping may be at most ${MAX_MAPPING_BYTES / 1024} KB.`);
    return parseMapping(body.toString('utf8'), candidate);
  }
  return null;
}
