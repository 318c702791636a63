/**
 * Parity on random drops (test/parity/drops.ts): every generated file is read by TypeScript in
 * one chunk and in chunks of a random size, and by Python in one split and in splits of a random
 * size, and every reading must agree. Python is spawned once for all the cases.
 *
 * The seed is random; a failure names it, and PARITY_SEED=<seed> replays the run
 * (PARITY_RUNS=<n> changes how many cases).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { disagreementText, runParity } from '../../scripts/parity/compare.ts';
import { randomDrop } from './drops.ts';

const SEED = Number(process.env.PARITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.PARITY_RUNS ?? 400);

describe('the two engines on random drops', () => {
  it(`agree on every row and file error (seed ${SEED}, ${RUNS} drops)`, async () => {
    const cases = fc.sample(randomDrop, { numRuns: RUNS, seed: SEED });
    const report = await runParity(
      cases.map((c, i) => ({
        name: `drop ${i}`,
        bytes: c.bytes,
        chunkSizes: [c.chunk],
        // Splits of a few bytes, but not so many that a larger drop takes long.
        splitSizes: [Math.max(c.split, Math.ceil(c.bytes.length / 300)), 0],
      })),
    );
    const failures = report.flatMap((file, i) =>
      file.agree
        ? []
        : [
            `${file.name} (PARITY_SEED=${SEED}; bytes ${JSON.stringify(cases[i]!.bytes.toString('latin1'))}):\n` +
              file.disagreements.map((d) => disagreementText(file.name, d)).join(''),
          ],
    );
    expect(failures.slice(0, 3).join('\n')).toBe('');
    // The drops are not all refused: most are read, with rows of every kind.
    expect(report.filter((f) => f.error === null).length).toBeGreaterThan(RUNS / 2);
    expect(report.reduce((n, f) => n + f.rows, 0)).toBeGreaterThan(RUNS);
  });
});
