/** EventBridge for the twin: the S3 "Object Created" event, matched against the rule's pattern from the template. */
import { randomUUID } from 'node:crypto';
import type { ObjectMeta } from './object-store.ts';

export type EventPattern = Record<string, unknown>;

export function objectCreatedEvent(
  bucket: string,
  meta: ObjectMeta,
  reason: string,
  region: string,
  account: string,
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account,
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: meta.key,
        size: meta.size,
        etag: meta.etag.replace(/"/g, ''),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
      'request-id': randomUUID(),
      requester: account,
      reason,
    },
  };
}

/** EventBridge pattern matching: value lists, prefix, suffix, wildcard, exists, anything-but. */
export function matches(pattern: EventPattern, event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  return Object.entries(pattern).every(([k, p]) => {
    if (Array.isArray(p)) return p.some((m) => matchValue(m, e[k]));
    if (p && typeof p === 'object') return matches(p as EventPattern, e[k]);
    return false;
  });
}

function matchValue(m: unknown, v: unknown): boolean {
  if (m === null || typeof m !== 'object') return v === m;
  const [op, arg] = Object.entries(m as Record<string, unknown>)[0] ?? [];
  const s = typeof v === 'string' ? v : undefined;
  switch (op) {
    case 'prefix':
      return s !== undefined && s.startsWith(String(arg));
    case 'suffix':
      return s !== undefined && s.endsWith(String(arg));
    case 'wildcard':
      return (
        s !== undefined &&
        new RegExp(
          `^${String(arg)
            .split('*')
            .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
          's',
        ).test(s)
      );
    case 'exists':
      return (v !== undefined) === arg;
    case 'anything-but':
      return Array.isArray(arg) ? !arg.includes(v) : v !== arg;
    default:
      return false;
  }
}
