/**
 * Every call in the tables, simulated against the synthesized stack (123456789012, eu-west-1; the
 * bucket-name check's with a fixed bucket name): each call a principal makes, at run time or at
 * deploy, is allowed; each call it must not make is denied.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { synth } from '../stacks/synth.ts';
import { allowedCalls, deniedCalls } from './calls.ts';
import { allowance, grants, UNUSED_GRANT_ALLOWANCES, used, type Grant } from './grants.ts';
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

describe('no grant beyond the calls', () => {
  const granted = Object.values(principals).flatMap(grants);
  const unused = granted.filter((g) => !used(g, allowed));
  const show = (g: Grant): string => `${g.principal}: ${g.action} on ${g.resource} (${g.policy})`;

  it('finds the grants it checks (the expansion is not silently empty)', () => {
    expect(granted.length).toBeGreaterThan(100);
    expect(new Set(granted.map((g) => g.principal)).size).toBeGreaterThan(10);
  });

  it('uses every (action, resource) an identity policy grants, or says why not', () => {
    // A grant no allowed call uses: remove it, list the call that needs it, or allow it in grants.ts with the reason.
    expect(unused.filter((g) => !allowance(g)).map(show)).toEqual([]);
  });

  it.each(
    UNUSED_GRANT_ALLOWANCES.map((a) => [`${a.principal ?? 'any role'}: ${a.actions.join(', ')}`, a] as const),
  )('still needs the allowance for %s', (_, a) => {
    expect(unused.filter((g) => allowance(g) === a).length).toBeGreaterThan(0);
  });
});
