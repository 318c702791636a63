/**
 * Every call in the tables, simulated against the synthesized stack (123456789012, eu-west-1; the
 * bucket-name check's with a fixed bucket name): each call a principal makes, at run time or at
 * deploy, is allowed; each call it must not make is denied.
 */
import { afterAll, describe, it } from '@jest/globals';
import { synth } from '../stacks/synth.ts';
import { allowedCalls, deniedCalls } from './calls.ts';
import { findPrincipals, NAMED_BUCKET_CONTEXT, PRINCIPALS, type PrincipalName } from './principals.ts';
import { simulate, type Call } from './simulate.ts';
import { World } from './world.ts';

const world = new World(synth('eu-west-1').json as never);
const namedBucket = new World(synth('eu-west-1', NAMED_BUCKET_CONTEXT).json as never);
const principals = findPrincipals(world, namedBucket);
const allowed = allowedCalls(world, principals);
const denied = deniedCalls(world, principals);
const label = (c: Call): string =>
  `${c.principal}: ${c.action} on ${typeof c.resource === 'string' ? c.resource : c.resource.join(' + ')}`;
/** Test names, one per row: a call listed twice (two SDK commands, one IAM action) says why the second time. */
const named = (calls: Call[]): [string, Call][] => {
  const seen = new Set<string>();
  return calls.map((c) => {
    const name = seen.has(label(c)) ? `${label(c)} (${c.why})` : label(c);
    seen.add(label(c));
    return [name, c];
  });
};
const explain = (c: Call, result: string, detail: readonly string[]): string =>
  [`${label(c)} is ${result}.`, `Why it is listed: ${c.why}.`, ...detail].join('\n');
const figures = new Map<PrincipalName, { allowed: number; denied: number }>(
  PRINCIPALS.map((p) => [p, { allowed: 0, denied: 0 }]),
);

describe('permissions, simulated', () => {
  it.each(named(allowed))('allows %s', async (_, call) => {
    const v = await simulate(principals, call);
    if (v.result === 'Allowed') figures.get(call.principal)!.allowed++;
    else throw new Error(explain(call, v.result, v.detail));
  });

  it.each(named(denied))('denies %s', async (_, call) => {
    const v = await simulate(principals, call);
    if (v.result !== 'Allowed') figures.get(call.principal)!.denied++;
    else throw new Error(explain(call, v.result, v.detail));
  });

  afterAll(() => {
    const listed = (calls: Call[], p: PrincipalName): number => calls.filter((c) => c.principal === p).length;
    const rows = PRINCIPALS.filter((p) => listed(allowed, p) + listed(denied, p) > 0);
    const total = (k: 'allowed' | 'denied'): number => rows.reduce((t, p) => t + figures.get(p)![k], 0);
    const width = Math.max(...rows.map((p) => p.length)) + 2;
    process.stdout.write(
      [
        `IAM simulation: ${total('allowed')} of ${allowed.length} listed calls allowed, ${total('denied')} of ${denied.length} refused calls denied`,
        ...rows.map(
          (p) =>
            `  ${p.padEnd(width)}allowed ${String(figures.get(p)!.allowed).padStart(3)} of ${String(listed(allowed, p)).padStart(3)}` +
            `   denied ${String(figures.get(p)!.denied).padStart(3)} of ${String(listed(denied, p)).padStart(3)}`,
        ),
        '',
      ].join('\n'),
    );
  });
});
