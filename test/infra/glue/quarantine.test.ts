import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDrop } from '../../../contract/check.ts';
import { CsvReader } from '../../../contract/csv.ts';
import { readChunks } from '../../../contract/read-chunks.ts';
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

describe('every cell of the quarantine, header included, in both engines', () => {
  /** Cells as a spreadsheet would read them from bad.csv. */
  const cellsOf = (bytes: Buffer): string[][] => {
    const rows: string[][] = [];
    new CsvReader((r) => void rows.push(Array.from({ length: r.count }, (_, i) => r.field(i)))).push(bytes);
    return rows;
  };
  // A cell a spreadsheet could run: =, +, -, @ (full width too) after any spaces, or a leading tab or line break.
  const RUNS = /^(?:[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])/;
  const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

  it('is safe to open: a formula in a header or a field, after spaces or in full width, starts with an apostrophe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quarantine-'));
    try {
      const file = join(dir, 'formula-header.csv');
      const lines = [
        'Series_Title,Released_Year,IMDB_Rating,=HYPERLINK("x"), =HYPERLINK("y"),\u3000+SUM(A1),\uff1dHYPERLINK("z"),\tnote',
        '=HYPERLINK("a"),19x9,8.1, =1+1,\u00a0@SUM(A1),\uff0b1,"\n=2+2",ok',
        ' -40,19x8,8.2,-41, +42 ,\uff20x,-,-',
      ];
      writeFileSync(file, lines.join('\n') + '\n');
      const twin = await twinQuarantine(file);
      const glue = pythonQuarantine(file, twin.outcomes, twin.gates);
      expect(glue.bytes.toString('utf8')).toBe(twin.bytes.toString('utf8'));
      const [header, ...rows] = cellsOf(twin.bytes);
      expect(header!.slice(4, 9)).toEqual([
        `'=HYPERLINK("x")`,
        `' =HYPERLINK("y")`,
        "'\u3000+SUM(A1)",
        `'\uff1dHYPERLINK("z")`,
        "'\tnote",
      ]);
      expect(rows).toHaveLength(2);
      for (const cell of [header!, ...rows].flat())
        expect([cell, RUNS.test(cell) && !PLAIN_NUMBER.test(cell.trim())]).toEqual([cell, false]);
      // Plain numbers stay numbers, spaces and all.
      expect(rows[1]!.slice(1, 6)).toEqual([' -40', '19x8', '8.2', '-41', ' +42 ']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the quarantine upload', () => {
  it('grows its parts so that S3’s 10,000 parts never run out, one part in memory at a time', () => {
    const program = `
import json, sys
sys.path.insert(0, "infra/glue/lib")
import movies_quarantine as Q
parts = []
writer = Q.Parts(lambda n, body: parts.append(len(body)), 8 << 20)
line = "x" * 1023 + "\\n"
for _ in range(80 * 1024):  # 80 MiB in 1 KiB lines: at 8 MiB a part, 10 parts
    writer.write(line)
writer.close()
Q.PARTS_PER_SIZE = 3  # as if 3 parts were 1,000: 8, 8, 8, 16, 16, 16, 32, ... MiB
grown = []
writer = Q.Parts(lambda n, body: grown.append(len(body) >> 20), 8 << 20)
for _ in range(1024 * 200):  # 200 MiB
    writer.write(line)
writer.close()
print(json.dumps({"parts": parts, "grown": grown}))
`;
    const r = spawnSync('python3', ['-B', '-c', program], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { parts, grown } = JSON.parse(r.stdout) as { parts: number[]; grown: number[] };
    expect(parts).toEqual(Array.from({ length: 10 }, () => 8 << 20));
    expect(grown.slice(0, 7)).toEqual([8, 8, 8, 16, 16, 16, 32]);
  });
});
