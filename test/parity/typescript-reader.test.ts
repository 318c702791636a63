/**
 * The TypeScript reader's answers that parity depends on, whatever the chunks: the record limit
 * (a body over the limit, noticed once the limit is passed), the first fault by offset, exact
 * lines for bad bytes, bytes that cannot be UTF-8 at the end, Git LFS pointers in small chunks,
 * values clipped by code point and numbers that do not fit their SQL type.
 */
import { describe, expect, it } from '@jest/globals';
import { checkDrop } from '../../contract/check.ts';
import { fitsSqlType } from '../../contract/contract.ts';
import { CsvFileError, CsvReader, tooLongReason } from '../../contract/csv.ts';
import { describeProblem, readDrop, type DropFileError, type MovieRow } from '../../contract/movie-reader.ts';

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );
}

/** Every record (line and fields) or the file error, reading `bytes` in chunks of `size`. */
function read(bytes: Buffer, size: number, maxRecordBytes?: number): string {
  const out: string[] = [];
  const reader = new CsvReader(
    (r) => out.push(`${r.line}:${Array.from({ length: r.count }, (_, i) => r.field(i)).join('|')}`),
    maxRecordBytes === undefined ? {} : { maxRecordBytes },
  );
  try {
    for (const chunk of chunksOf(bytes, size)) reader.push(chunk);
    reader.end();
    return out.join(' ');
  } catch (err) {
    if (!(err instanceof CsvFileError)) throw err;
    return `error ${err.line}: ${err.reason}`;
  }
}

/** The same answer in one chunk and in chunks of every size up to the whole file. */
function everyChunking(bytes: Buffer, maxRecordBytes?: number): string {
  const whole = read(bytes, bytes.length || 1, maxRecordBytes);
  for (let size = 1; size < bytes.length; size++)
    expect([size, read(bytes, size, maxRecordBytes)]).toEqual([size, whole]);
  return whole;
}

const b = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('the record limit', () => {
  const LIMIT = 8;
  it('takes a body of the limit, in any chunks, whatever ends it', () => {
    expect(everyChunking(b('a\n12345678\nb\n'), LIMIT)).toBe('1:a 2:12345678 3:b');
    expect(everyChunking(b('a\r\n1234,678\r\nb'), LIMIT)).toBe('1:a 2:1234|678 3:b');
    expect(everyChunking(b('a\r"1""567"\rb'), LIMIT)).toBe('1:a 2:1"567 3:b');
    expect(everyChunking(b('a\n12345678'), LIMIT)).toBe('1:a 2:12345678');
  });

  it('refuses a body one byte over the limit, at its line, in any chunks (not only when a chunk ends inside it)', () => {
    const tooLong = `error 2: ${tooLongReason(LIMIT)}`;
    expect(everyChunking(b('a\n123456789\nb\n'), LIMIT)).toBe(tooLong);
    expect(everyChunking(b('a\r\n"1\n345678"\r\nb'), LIMIT)).toBe(tooLong);
    expect(everyChunking(b('a\n123456789'), LIMIT)).toBe(tooLong);
    expect(everyChunking(b('a\n"unterminated'), LIMIT)).toBe(tooLong);
    expect(everyChunking(b('a\n"unterm'), LIMIT)).toBe(
      'error 2: a quoted field is never closed (unterminated quote)',
    );
  });

  it('puts a bad byte first when it comes before the limit is passed, and the limit first after', () => {
    // The body's 9th byte makes it too long: a NUL up to there is noticed first.
    expect(everyChunking(b('a\n1234567', [0], '9\n'), LIMIT)).toMatch(
      /^error 2: the file contains a NUL byte/,
    );
    expect(everyChunking(b('a\n12345678', [0], '\n'), LIMIT)).toMatch(
      /^error 2: the file contains a NUL byte/,
    );
    expect(everyChunking(b('a\n123456789', [0], '\n'), LIMIT)).toMatch(
      /^error 2: a record is longer than 8 bytes/,
    );
    expect(everyChunking(b('a\n123456789', [0xff], '\n'), LIMIT)).toMatch(
      /^error 2: a record is longer than 8 bytes/,
    );
  });
});

describe('bad bytes', () => {
  it('reports the first fault by offset, a NUL or a byte that is not UTF-8', () => {
    expect(everyChunking(b('a\nb\n', [0], '\n', [0xff], '\n'))).toBe(
      'error 3: the file contains a NUL byte (is it binary, or UTF-16?)',
    );
    expect(everyChunking(b('a\nb\n', [0xff], '\n', [0], '\n'))).toBe('error 3: the file is not valid UTF-8');
    // A character begun before the NUL that the NUL cuts short comes first.
    expect(everyChunking(b('a\n', [0xe2], [0], '\n'))).toBe('error 2: the file is not valid UTF-8');
  });

  it('reports the line of the bad byte itself, after line breaks and after a CR that ends a record', () => {
    expect(everyChunking(b('a,1\nb,2\n\n', [0xff], 'zz\n'))).toBe('error 4: the file is not valid UTF-8');
    expect(everyChunking(b('a,1\r', [0xff], 'zz\n'))).toBe('error 2: the file is not valid UTF-8');
    expect(everyChunking(b('a,1\r\n', [0xff], 'zz\n'))).toBe('error 2: the file is not valid UTF-8');
    expect(everyChunking(b('a,"1\r', [0xff], 'zz"\n'))).toBe('error 1: the file is not valid UTF-8');
    expect(everyChunking(b('a,"1\n\r\n', [0xff], '"\n'))).toBe('error 3: the file is not valid UTF-8');
  });

  it('finds a bad byte after multi-byte characters, and in a run of stray continuation bytes, in time', () => {
    // These used to send the search for the bad byte round in circles.
    expect(everyChunking(b('title\n 😀 電😀', [0xff], ',2000\n'))).toBe(
      'error 2: the file is not valid UTF-8',
    );
    expect(everyChunking(b('電éa😀a', [0xff]))).toBe('error 1: the file is not valid UTF-8');
    expect(read(b('title\na,', Array(100).fill(0x80), '\n'), 1 << 20)).toBe(
      'error 2: the file is not valid UTF-8',
    );
  });

  it('tells a character cut short by the end of the file from bytes no character starts with', () => {
    const cut = 'error 2: the file ends in the middle of a UTF-8 character';
    const notUtf8 = 'error 2: the file is not valid UTF-8';
    expect(everyChunking(b('a\nb', [0xe2, 0x82]))).toBe(cut);
    expect(everyChunking(b('a\nb', [0xf0, 0x9f, 0x98]))).toBe(cut);
    expect(everyChunking(b('a\nb', [0xf4, 0x8f]))).toBe(cut);
    for (const bad of [
      [0xf0, 0x80],
      [0xe0, 0x80],
      [0xed, 0xa0],
      [0xf4, 0x90],
      [0xc0],
      [0xc1],
      [0xf5],
      [0xff],
    ])
      expect([bad, everyChunking(b('a\nb', bad))]).toEqual([bad, notUtf8]);
  });
});

describe('readDrop', () => {
  const HEADER = 'title,year,rating,runtime,meta_score,votes\n';
  async function rows(text: string | Buffer, chunk = 1 << 20): Promise<string[][]> {
    const out: string[][] = [];
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    await readDrop('f.csv', chunksOf(bytes, chunk), (row: MovieRow) =>
      out.push(row.problems.map(describeProblem)),
    );
    return out;
  }

  it('knows a Git LFS pointer however small the chunks', async () => {
    const pointer = Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n');
    for (const chunk of [1, 2, 7, 39, 40, 41, pointer.length]) {
      const err = await readDrop('f.csv', chunksOf(pointer, chunk), () => {}).catch((e: unknown) => e);
      expect([chunk, (err as DropFileError).reason]).toEqual([
        chunk,
        expect.stringMatching(/^this is a Git LFS pointer/),
      ]);
    }
    // The first bytes of a pointer are data when the file is no more than that.
    const err = await readDrop('f.csv', chunksOf(Buffer.from('version https://git-lfs'), 3), () => {}).catch(
      (e: unknown) => e,
    );
    expect((err as DropFileError).reason).toMatch(/^missing required columns/);
  });

  it('clips the values it shows to 37 characters (code points, not UTF-16 units) when they have more than 40', async () => {
    const emoji40 = '😀'.repeat(40);
    const emoji41 = '😀'.repeat(41);
    expect(await rows(`${HEADER}a,${emoji40},8,,,\na,${emoji41},8,,,\n`)).toEqual([
      [`release_year is not a four-digit year ("${emoji40}")`],
      [`release_year is not a four-digit year ("${'😀'.repeat(37)}...")`],
    ]);
  });

  it('refuses numbers their SQL type cannot hold, with the text as it came', async () => {
    expect(
      await rows(
        `${HEADER}a,1999,99.95,2147483648,32768,1\nb,1999,99.94,2147483647,-32768,9007199254740991\n` +
          `c,1999,${'9'.repeat(400)},3000000000 min,-32769,1\nd,1999,-99.96,35791394h 8m,0,1\n`,
      ),
    ).toEqual([
      [
        'runtime_minutes is out of range for INTEGER ("2147483648")',
        'imdb_rating is out of range for DECIMAL(3,1) ("99.95")',
        'meta_score is out of range for SMALLINT ("32768")',
      ],
      [],
      [
        'runtime_minutes is out of range for INTEGER ("3000000000 min")',
        `imdb_rating is out of range for DECIMAL(3,1) ("${'9'.repeat(37)}...")`,
        'meta_score is out of range for SMALLINT ("-32769")',
      ],
      [
        'runtime_minutes is out of range for INTEGER ("35791394h 8m")',
        'imdb_rating is out of range for DECIMAL(3,1) ("-99.96")',
      ],
    ]);
  });

  it('checks ranges as the SQL types have them', () => {
    expect([
      fitsSqlType('SMALLINT', 32767),
      fitsSqlType('SMALLINT', 32768),
      fitsSqlType('SMALLINT', -32768),
    ]).toEqual([true, false, true]);
    expect([fitsSqlType('INTEGER', 2 ** 31 - 1), fitsSqlType('INTEGER', -(2 ** 31) - 1)]).toEqual([
      true,
      false,
    ]);
    expect([fitsSqlType('BIGINT', Number.MAX_SAFE_INTEGER), fitsSqlType('BIGINT', 2 ** 63)]).toEqual([
      true,
      false,
    ]);
    expect([
      fitsSqlType('DECIMAL(3,1)', 99.94),
      fitsSqlType('DECIMAL(3,1)', 99.95),
      fitsSqlType('DECIMAL(3,1)', Infinity),
    ]).toEqual([true, false, false]);
    expect(fitsSqlType('VARCHAR(10)', 1e300)).toBe(true);
  });
});

describe('checkDrop', () => {
  it('hands each judged row, every column read, to onRow with the rules it failed', async () => {
    const seen: [number, string | number | null, string[], boolean][] = [];
    await checkDrop(
      'f.csv',
      [Buffer.from('title,year,rating,director\nA,1999,12,Someone\nB,2000,8,Other\n')],
      {
        onRow(row, evaluation, passed) {
          const failed = evaluation.rules
            .filter((_, i) => evaluation.statuses[i] === -1)
            .map((r) => r.description);
          seen.push([row.line, row.values[9]!, failed, passed]);
        },
      },
    );
    expect(seen).toEqual([
      [
        2,
        'Someone',
        [
          'ColumnValues "imdb_rating" between 0.9 and 10.1 with threshold > 0.9',
          'ColumnValues "imdb_rating" <= 10',
        ],
        false,
      ],
      [3, 'Other', [], true],
    ]);
  });
});
