/**
 * Every call in the tables, simulated against the synthesized stack (123456789012, eu-west-1):
 * each call a principal makes at run time is allowed; each call it must not make is denied.
 */
import { afterAll, describe, it } from '@jest/globals';
import { synth } from '../stacks/synth.ts';
import { allowedCalls, deniedCalls } from './calls.ts';
import { findPrincipals, PRINCIPALS, type PrincipalName } from './principals.ts';
import { simulate, type Call } from './simulate.ts';
import { World } from './world.ts';

const world = new World(synth('eu-west-1').json as never);
const principals = findPrincipals(world);
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
    const v = await simulate(world, principals, call);
    if (v.result === 'Allowed') figures.get(call.principal)!.allowed++;
    else throw new Error(explain(call, v.result, v.detail));
  });

  it.each(named(denied))('denies %s', async (_, call) => {
    const v = await simulate(world, principals, call);
    if (v.result !== 'Allowed') figures.get(call.principal)!.denied++;
    else throw new Error(explain(call, v.result, v.detail));
  });

  afterAll(() => {
    const rows = [...figures].filter(([, f]) => f.allowed + f.denied > 0);
    const total = rows.reduce(
      (t, [, f]) => ({ allowed: t.allowed + f.allowed, denied: t.denied + f.denied }),
      {
        allowed: 0,
        denied: 0,
      },
    );
    process.stdout.write(
      [
        `IAM simulation: ${total.allowed}/${allowed.length} calls allowed as listed, ${total.denied}/${denied.length} denied as listed`,
        ...rows.map(
          ([p, f]) =>
            `  ${p.padEnd(31)} allowed ${String(f.allowed).padStart(3)}   denied ${String(f.denied).padStart(3)}`,
        ),
        '',
      ].join('\n'),
    );
  });
});
