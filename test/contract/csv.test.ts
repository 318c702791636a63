import { describe, expect, it } from '@jest/globals';
import { CsvFileError, CsvReader, tooLongReason } from '../../contract/csv.ts';

/** Read `text` fed in chunks of `size` bytes; returns [line, fields, defect] per record. */
function read(text: string | Buffer, size = 1 << 20): [number, string[], string | null][] {
  const out: [number, string[], string | null][] = [];
  const reader = new CsvReader((r) =>
    out.push([r.line, Array.from({ length: r.count }, (_, i) => r.field(i)), r.defect]),
  );
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
  reader.end();
  return out;
}

function errorOf(text: string | Buffer): CsvFileError {
  try {
    read(text);
  } catch (err) {
    if (err instanceof CsvFileError) return err;
    throw err;
  }
  throw new Error('expected a CsvFileError');
}

describe('CsvReader', () => {
  it('reads RFC 4180: quoted commas, doubled quotes, embedded newlines, empty fields', () => {
    const text = 'a,b,c\n"x, y","say ""hi""","two\nlines"\n,,\n';
    expect(read(text)).toEqual([
      [1, ['a', 'b', 'c'], null],
      [2, ['x, y', 'say "hi"', 'two\nlines'], null],
      [4, ['', '', ''], null],
    ]);
  });

  it('reads CRLF, a UTF-8 BOM, a last line without newline, and skips blank lines', () => {
    const text = '\uFEFFtitle,year\r\nAmélie,2001\r\n\r\n"Crouching Tiger, Hidden Dragon",2000';
    expect(read(text)).toEqual([
      [1, ['title', 'year'], null],
      [2, ['Amélie', '2001'], null],
      [4, ['Crouching Tiger, Hidden Dragon', '2000'], null],
    ]);
  });

  it('gives the same records whatever the chunk boundaries (split CRLF, split quotes, split UTF-8)', () => {
    const text = 'h1,h2\r\n"a ""q"" b","Crème brûlée, 千と千尋"\r\nplain,"multi\r\nline"\r\nlast,row,\r\n';
    const whole = read(text);
    for (let size = 1; size <= 12; size++) expect(read(text, size)).toEqual(whole);
  });

  it('drops a BOM split across the first chunks, and only a BOM', () => {
    const text = '\uFEFFtitle,year\nAmélie,2001\n';
    for (let size = 1; size <= 4; size++) expect(read(text, size)).toEqual(read(text));
    expect(read(text, 1)[0]).toEqual([1, ['title', 'year'], null]);
    expect(read('\uFEFF\uFEFFa\n', 1)[0]).toEqual([1, ['\uFEFFa'], null]);
    expect(errorOf(Buffer.from([0xef, 0xbb])).reason).toMatch(/UTF-8/);
  });

  it('flags text after a closing quote as a row defect, keeping the raw text', () => {
    expect(read('a,b\n"x"y,z\n')[1]).toEqual([2, ['"x"y', 'z'], 'field 1 has text after its closing quote']);
  });

  it('reports an unterminated quote with the line where the record starts', () => {
    const err = errorOf('a,b\n1,2\n3,"never closed\n4,5\n');
    expect(err.line).toBe(3);
    expect(err.reason).toMatch(/unterminated quote/);
  });

  it('reports invalid UTF-8 with its line', () => {
    const err = errorOf(
      Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
    );
    expect(err.reason).toBe('the file is not valid UTF-8');
    expect(err.line).toBe(3);
  });

  it('reports a NUL byte (UTF-16 files are full of them)', () => {
    const err = errorOf(Buffer.from('a,b\n1,2\n', 'utf16le'));
    expect(err.reason).toMatch(/NUL byte/);
    expect(err.line).toBe(1);
  });

  it('rejects a record longer than the limit instead of buffering the file', () => {
    const reader = new CsvReader(() => undefined, { maxRecordBytes: 100 });
    reader.push(Buffer.from('a,b\n1,"'));
    expect(() => reader.push(Buffer.alloc(200, 0x61))).toThrow(/longer than 100 bytes/);
  });

  /** The error reading `bytes` in chunks of `size` gives (limit 16 bytes a record), or the records. */
  function outcome(bytes: Buffer, size: number): string {
    const out: string[] = [];
    const reader = new CsvReader((r) => void out.push(`${r.line}:${r.count}`), { maxRecordBytes: 16 });
    try {
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
      reader.end();
      return out.join(' ');
    } catch (err) {
      if (err instanceof CsvFileError) return `${err.line}: ${err.reason}`;
      throw err;
    }
  }

  it('refuses a record longer than the limit whatever the chunks, and takes one at the limit', () => {
    const cases: [string, string][] = [
      ['a,b\r\n0123456789abcdef\r\nz\r\n', '1:2 2:1 3:1'], // 16 bytes: at the limit
      ['a,b\r\n0123456789abcdefg\r\nz\r\n', `2: ${tooLongReason(16)}`],
      ['a\n"0123456789\nabcdefg"\n', `2: ${tooLongReason(16)}`],
      ['a\n"0123456789abcdefgh', `2: ${tooLongReason(16)}`],
      ['a\n"0123\n456', '2: a quoted field is never closed (unterminated quote)'],
    ];
    for (const [text, expected] of cases) {
      const bytes = Buffer.from(text);
      for (const size of [1, 2, 3, 5, 8, 17, 64])
        expect([text, size, outcome(bytes, size)]).toEqual([text, size, expected]);
    }
  });

  it('reports the first fault in the file, NUL or invalid UTF-8, at its own line', () => {
    const nulFirst = Buffer.concat([Buffer.from('a\nb\x00\n'), Buffer.from([0xff]), Buffer.from('\n')]);
    const utf8First = Buffer.concat([Buffer.from('a\n'), Buffer.from([0xff]), Buffer.from('\nb\x00\n')]);
    for (const size of [1, 4, 64]) {
      expect(outcome(nulFirst, size)).toBe('2: the file contains a NUL byte (is it binary, or UTF-16?)');
      expect(outcome(utf8First, size)).toBe('2: the file is not valid UTF-8');
    }
    // The line of a bad byte just after a newline, found in a long valid prefix.
    const long = Buffer.concat([Buffer.from('x,y\n'.repeat(50) + 'é\n'), Buffer.from([0xe2, 0x28, 0xa1])]);
    expect(outcome(long, 1 << 20)).toBe('52: the file is not valid UTF-8');
  });
});
