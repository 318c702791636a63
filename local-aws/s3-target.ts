/**
 * What an S3 request names, read as S3 reads it. S3 keys are literal strings: `a/../b` and
 * `a/%2e%2e/b` are keys of their own, not paths. A URL parser resolves dot segments (WHATWG
 * treats `%2e%2e` as `..` too), so the raw request target is split here instead: the bucket is
 * the first segment, the key is the rest, each percent-decoded once and nothing more.
 */
import { ApiError } from './http.ts';

export interface S3Target {
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
  /** The decoded path, as S3 names it in an error's Resource. */
  readonly resource: string;
}

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

export function s3Target(requestTarget: string): S3Target {
  // The absolute form (`http://host/path`), which a proxy may send, names the same path.
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(requestTarget);
  const raw = origin ? requestTarget.slice(origin[0].length) || '/' : requestTarget;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (!path.startsWith('/')) throw invalidUri();
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  const bucket = decode(slash < 0 ? rest : rest.slice(0, slash));
  const key = slash < 0 ? '' : decode(rest.slice(slash + 1));
  return { bucket, key, query, resource: `/${bucket}${slash < 0 ? '' : `/${key}`}` };
}

/** Refuses a key S3 would refuse as too long (at PutObject, CopyObject, CreateMultipartUpload). */
export function checkKeyLength(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw new ApiError(400, 'KeyTooLongError', 'Your key is too long');
}

/**
 * S3's general-purpose bucket naming rules: 3 to 63 lower-case letters, digits, dots and
 * hyphens, starting and ending with a letter or digit, no two dots in a row, not an IP address.
 */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
  );
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidUri();
  }
}

function invalidUri(): ApiError {
  return new ApiError(400, 'InvalidURI', "Couldn't parse the specified URI.");
}
