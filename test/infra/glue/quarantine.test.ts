import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDrop } from '../../../infra/pipeline/check.ts';
import { readChunks } from '../../../infra/pipeline/read-chunks.ts';
import { pythonQuarantine, ruleOutcomesOf, type RuleOutcomes } from './python-quarantine.ts';

/** The twin's bad.csv for a file, and each quarantined row's rule outcomes as it recorded them. */
async function twinQuarantine(
  file: string,
): Promise<{ bytes: Buffer; outcomes: Record<number, RuleOutcomes>; gates: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'quarantine-'));
  try {
    const badPath = join(dir, 'bad.csv');
    const check = await checkDrop(file, readChunks(file), { badPath, goodPath: join(dir, 'good.csv') });
    const bytes = readFileSync(badPath);
    const outcomes = ruleOutcomesOf(bytes);
    const gates = check.rules.filter((r) => r.tolerance).map((r) => r.description);
    return { bytes, outcomes, gates };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the quarantine object', () => {
  it.each(['data/defects/movies_2024_q2.csv', 'data/clean/movies_2024_q1.csv'])(
    'is byte for byte the same from the Glue job’s writer as from the twin (%s)',
    async (file) => {
      const twin = await twinQuarantine(file);
      const glue = pythonQuarantine(file, twin.outcomes, twin.gates);
      expect(glue.bytes.toString('utf8')).toBe(twin.bytes.toString('utf8'));
      if (file.includes('defects')) expect(glue.parts).toBeGreaterThan(1); // written in parts, joined as S3 joins them
    },
  );

  it('keeps hostile cells spreadsheet-safe and fields past the header in the last column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quarantine-'));
    try {
      const file = join(dir, 'hostile.csv');
      const lines = [
        "Series_Title,Released_Year,IMDB_Rating,Overview,=cmd|' /C calc'!A0",
        '=HYPERLINK("http://x"),19x9,8.1,"fine"',
        '@SUM(A1),199x,7.0,ok',
        "Robert'); DROP TABLE movies;--,2001,8.0,ok,extra,fields",
        '-40,2002,12.5," padded "',
      ];
      writeFileSync(file, lines.join('\r\n'));
      const twin = await twinQuarantine(file);
      const glue = pythonQuarantine(file, twin.outcomes, twin.gates);
      expect(glue.bytes.toString('utf8')).toBe(twin.bytes.toString('utf8'));
      expect(glue.bytes.toString('utf8')).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(glue.bytes.toString('utf8')).toMatch(/\n5,-40,2002,/); // a plain number is no formula
      expect(glue.bytes.toString('utf8').split('\n')[0]).toContain(",'=cmd|' /C calc'!A0,");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
