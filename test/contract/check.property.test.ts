import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkDrop } from '../../contract/check.ts';
import { DropFileError } from '../../contract/movie-reader.ts';

const HEADER = [
  'Series_Title',
  'Released_Year',
  'IMDB_Rating',
  'Runtime',
  'No_of_Votes',
  'Meta_score',
  'Gross',
];

/** Cells that are mostly plausible and sometimes hostile: quotes, commas, newlines, formulas, junk. */
const cell = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'PG',
    '8.1',
    '9',
    '12.5',
    '-40',
    '1994',
    '142 min',
    '"28,341,469"',
    '=1+1',
    '<!channel>',
    'N/A',
  ),
  fc.integer({ min: -10, max: 3000 }).map(String),
  fc.string({ maxLength: 12 }).map((s) => `"${s.replace(/"/g, '""')}"`),
  fc.string({ maxLength: 8 }).filter((s) => !/[",\r\n]/.test(s)),
);
const row = fc.array(cell, { minLength: 1, maxLength: HEADER.length + 2 }).map((cells) => cells.join(','));

describe('checkDrop on random drops', () => {
  it('accounts for every row (passed + failed = read) and never throws anything but a file error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 64 }),
        async (rows, eol, chunk) => {
          const bytes = Buffer.from([HEADER.join(','), ...rows].join(eol) + eol);
          const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
            bytes.subarray(i * chunk, (i + 1) * chunk),
          );
          try {
            const check = await checkDrop('random.csv', chunks);
            const m = check.result.AggregatedMetrics;
            expect(m.TotalRowsPassed + m.TotalRowsFailed).toBe(m.TotalRowsProcessed);
            expect(check.decision.rowsToLoad + check.decision.rowsToQuarantine).toBe(m.TotalRowsProcessed);
            expect(check.result.RuleResults.every((r) => ['PASS', 'FAIL', 'ERROR'].includes(r.Result))).toBe(
              true,
            );
          } catch (err) {
            // Random rows may legitimately be an empty file or an unterminated quote; nothing else.
            expect(err).toBeInstanceOf(DropFileError);
            expect((err as Error).message).toMatch(
              /^random\.csv(:\d+)?: (the file has a header but no data rows|a quoted field is never closed)/,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same result whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 32 }),
        async (rows, chunk) => {
          const bytes = Buffer.from([HEADER.join(','), ...rows].join('\n') + '\n');
          const whole = await checkDrop('r.csv', [bytes]).catch((e: Error) => e.message);
          const split = await checkDrop(
            'r.csv',
            Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
              bytes.subarray(i * chunk, (i + 1) * chunk),
            ),
          ).catch((e: Error) => e.message);
          expect(typeof split === 'string' ? split : split.result).toEqual(
            typeof whole === 'string' ? whole : whole.result,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
