/**
 * A streaming RFC 4180 reader over bytes: quoted commas, doubled quotes, embedded newlines,
 * LF or CRLF, optional UTF-8 BOM. Records are handed out as a reused view whose fields are
 * decoded only when asked for, so a pass that reads three columns pays for three.
 *
 * File-level faults (invalid UTF-8, NUL bytes, a record longer than the limit, an unterminated
 * quote) throw CsvFileError with the line, the first in the file as a streaming reader notices
 * them, whatever the chunks: a bad byte once the bytes before it are read, a record too long
 * once it has maxRecordBytes + 1 bytes, a character cut short and an unclosed quote at the end
 * of the file. A record with stray text after a closing quote is a row-level defect instead.
 */
import { isAscii, isUtf8 } from 'node:buffer';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NOT_UTF8 = 'the file is not valid UTF-8';

/** A fault that makes the whole file unreadable. `line` is 1-based. */
export class CsvFileError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvFileError';
  }
}

export interface CsvRecord {
  /** Line where the record starts (1-based; the header is line 1). */
  readonly line: number;
  /** Number of fields. */
  readonly count: number;
  /** Set when the record breaks RFC 4180 in a way we read leniently. */
  readonly defect: string | null;
  /** Field i decoded as a string ('' when absent). */
  field(i: number): string;
  /** An upper bound of field i's size in UTF-8 bytes, without decoding it. */
  fieldBytes(i: number): number;
}

export interface CsvReaderOptions {
  /** A record whose body (without its line break) is longer than this is a file error (almost always an unterminated quote). */
  readonly maxRecordBytes?: number;
}

/** The record limit, the same in the Glue job (MAX_RECORD_BYTES in infra/glue/lib/movies_csv.py). */
const MAX_RECORD_BYTES = 1 << 20;

/** Why a record is refused, as the Glue job says it too (TOO_LONG in infra/glue/lib/movies_csv.py). */
export function tooLongReason(limit: number): string {
  const size = limit % (1 << 20) === 0 ? `${limit >> 20} MiB` : `${limit} bytes`;
  return `a record is longer than ${limit} bytes (is it an unterminated quote? A record, line breaks in quotes included, may hold at most ${size}; a larger one needs MAX_RECORD_BYTES raised in contract/csv.ts and infra/glue/lib/movies_csv.py)`;
}

/** Node's Buffer has these (undocumented but long-standing) decoders without argument checks. */
type FastBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
};

export class CsvReader implements CsvRecord {
  line = 1;
  count = 0;
  defect: string | null = null;

  private nextLine = 1;
  private buf: Buffer = Buffer.alloc(0);
  private ascii = false;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private escaped = new Uint8Array(64);
  private pending: Buffer | null = null;
  /** `pending` is a whole record but for its last byte, a CR: whether an LF follows is not known yet. */
  private pendingCr = false;
  private scratch = Buffer.alloc(0);
  /** The file's first bytes, held until it is clear whether they are a BOM (a chunk may be 1 byte). */
  private head: Buffer | null = Buffer.alloc(0);
  private utf8Tail: Buffer | null = null;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    options: CsvReaderOptions = {},
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  }

  field(i: number): string {
    if (i >= this.count) return '';
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (s === e) return '';
    // latin1Slice/utf8Slice skip toString's argument checks, which show up at millions of fields.
    const text = this.ascii
      ? (this.buf as FastBuffer).latin1Slice(s, e)
      : (this.buf as FastBuffer).utf8Slice(s, e);
    return this.escaped[i] ? text.replaceAll('""', '"') : text;
  }

  fieldBytes(i: number): number {
    return i < this.count ? this.ends[i]! - this.starts[i]! : 0;
  }

  /** Feed the next chunk of the file. */
  push(chunk: Buffer): void {
    if (this.head) {
      const head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) {
        this.head = head;
        return;
      }
      this.head = null;
      chunk = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
    }
    const fault = this.checkBytes(chunk);
    if (fault) {
      // Read the good prefix so the line count is exact, then report where the fault is.
      this.parse(this.join(chunk.subarray(0, fault.offset)), false);
      // A CR that ends a record puts the fault on the next line.
      const before = this.pending ?? Buffer.alloc(0);
      const cr = this.pending && this.pendingCr ? 1 : 0;
      throw new CsvFileError(fault.reason, this.nextLine + countNewlines(before, 0, before.length) + cr);
    }
    this.parse(this.join(chunk), false);
  }

  /** Signal the end of the file; flushes the last record. */
  end(): void {
    // A file shorter than a BOM whose bytes all look like one: they are data after all.
    if (this.head?.length) {
      const head = this.head;
      this.head = null;
      this.push(head);
    }
    if (this.utf8Tail) {
      const line = this.nextLine + (this.pending ? countNewlines(this.pending, 0, this.pending.length) : 0);
      // Bytes no further byte could make a character are not UTF-8 at all.
      throw new CsvFileError(
        completable(this.utf8Tail) ? 'the file ends in the middle of a UTF-8 character' : NOT_UTF8,
        line,
      );
    }
    if (this.pending) this.parse(this.pending, true);
    this.pending = null;
  }

  /** The unfinished record plus the new chunk, in a buffer reused across chunks (records are views only while onRecord runs). */
  private join(chunk: Buffer): Buffer {
    const pending = this.pending;
    if (!pending) return chunk;
    this.pending = null;
    const size = pending.length + chunk.length;
    if (this.scratch.length < size)
      this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    pending.copy(this.scratch, 0);
    chunk.copy(this.scratch, pending.length);
    return this.scratch.subarray(0, size);
  }

  /**
   * UTF-8 validity and NUL bytes, with characters split across chunk boundaries carried over.
   * The first fault by offset wins (offsets in the chunk; a character begun in the carried bytes is at 0).
   */
  private checkBytes(chunk: Buffer): { offset: number; reason: string } | null {
    const nul = chunk.indexOf(0);
    const carried = this.utf8Tail?.length ?? 0;
    const bytes = this.utf8Tail ? Buffer.concat([this.utf8Tail, chunk]) : chunk;
    this.utf8Tail = null;
    const cut = incompleteTailStart(bytes);
    const complete = bytes.subarray(0, cut);
    if (!isUtf8(complete)) {
      const invalid = firstInvalidUtf8(complete);
      if (nul === -1 || invalid < nul + carried)
        return { offset: Math.max(0, invalid - carried), reason: NOT_UTF8 };
    }
    if (nul !== -1) return { offset: nul, reason: 'the file contains a NUL byte (is it binary, or UTF-16?)' };
    if (cut < bytes.length) this.utf8Tail = Buffer.from(bytes.subarray(cut));
    return null;
  }

  private parse(buf: Buffer, final: boolean): void {
    this.buf = buf;
    this.ascii = isAscii(buf);
    const n = buf.length;
    let pos = 0;
    while (pos < n) {
      const recordStart = pos;
      let count = 0;
      let inner = 0; // newlines inside quoted fields
      let defect: string | null = null;
      let complete = false;
      let bodyEnd = n; // where the record's line break starts, once complete
      let splitCr = false;
      for (;;) {
        if (count === this.starts.length) this.grow();
        const fieldStart = pos;
        if (pos < n && buf[pos] === QUOTE) {
          let p = pos + 1;
          let escaped = 0;
          let close = -1;
          for (;;) {
            const q = buf.indexOf(QUOTE, p);
            if (q === -1) break;
            if (q + 1 < n && buf[q + 1] === QUOTE) {
              escaped = 1;
              p = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) break; // the next chunk may start with the escaping quote
            close = q;
            break;
          }
          if (close === -1) {
            if (final)
              throw new CsvFileError(
                'a quoted field is never closed (unterminated quote)',
                this.nextLine + inner,
              );
            break;
          }
          inner += countNewlines(buf, pos + 1, close);
          this.starts[count] = pos + 1;
          this.ends[count] = close;
          this.escaped[count] = escaped;
          pos = close + 1;
          if (pos < n && buf[pos] !== COMMA && buf[pos] !== LF && buf[pos] !== CR) {
            // Stray text after the closing quote: keep the raw field text and flag the row.
            let p2 = pos;
            while (p2 < n && buf[p2] !== COMMA && buf[p2] !== LF && buf[p2] !== CR) p2++;
            if (p2 >= n && !final) break;
            defect = `field ${count + 1} has text after its closing quote`;
            this.starts[count] = fieldStart;
            this.ends[count] = p2;
            this.escaped[count] = 0;
            pos = p2;
          }
        } else {
          let p = pos;
          while (p < n) {
            const c = buf[p]!;
            if (c === COMMA || c === LF || c === CR) break;
            p++;
          }
          if (p >= n && !final) break;
          this.starts[count] = pos;
          this.ends[count] = p;
          this.escaped[count] = 0;
          pos = p;
        }
        count++;
        if (pos >= n) {
          complete = final;
          break;
        }
        const c = buf[pos];
        if (c === COMMA) {
          pos++;
          if (pos >= n) {
            if (!final) break;
            this.starts[count] = this.ends[count] = pos;
            this.escaped[count] = 0;
            count++;
            complete = true;
            break;
          }
          continue;
        }
        bodyEnd = pos;
        if (c === CR) {
          if (pos + 1 >= n && !final) {
            splitCr = true; // a split CRLF
            break;
          }
          pos += buf[pos + 1] === LF ? 2 : 1;
        } else pos++; // LF
        complete = true;
        break;
      }
      if (!complete) {
        if (n - recordStart - (splitCr ? 1 : 0) > this.maxRecordBytes) throw this.tooLong();
        this.pending = Buffer.from(buf.subarray(recordStart));
        this.pendingCr = splitCr;
        return;
      }
      if (bodyEnd - recordStart > this.maxRecordBytes) throw this.tooLong();
      this.line = this.nextLine;
      this.nextLine += 1 + inner;
      // Blank lines carry no record.
      if (count === 1 && this.starts[0] === this.ends[0] && buf[recordStart] !== QUOTE) continue;
      this.count = count;
      this.defect = defect;
      this.onRecord(this);
    }
  }

  /**
   * The record starting at nextLine has more than maxRecordBytes bytes before its line break.
   * Usually a quote left open, but a field can be that large too: say the limit and where it is set.
   */
  private tooLong(): CsvFileError {
    return new CsvFileError(tooLongReason(this.maxRecordBytes), this.nextLine);
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.starts = grow(this.starts, new Int32Array(size));
    this.ends = grow(this.ends, new Int32Array(size));
    this.escaped = grow(this.escaped, new Uint8Array(size));
  }
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let lines = 0;
  for (let i = buf.indexOf(LF, from); i !== -1 && i < to; i = buf.indexOf(LF, i + 1)) lines++;
  return lines;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Start of a multi-byte character cut off by the end of the buffer (buf.length if none). */
function incompleteTailStart(buf: Buffer): number {
  for (let back = 1; back <= 3 && back <= buf.length; back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (b >= 0xc0 && sequenceLength(b) > back) return buf.length - back;
    break;
  }
  return buf.length;
}

/**
 * Offset of the first character that is not UTF-8 (only called once we know one is): the longest
 * valid prefix. Prefixes that end inside the valid part are valid at every character start, so
 * "a valid prefix ends within 3 bytes of k" holds up to that offset and nowhere after it.
 */
function firstInvalidUtf8(buf: Buffer): number {
  const validNear = (k: number): boolean => {
    for (let end = k; end <= k + 3 && end < buf.length; end++) if (isUtf8(buf.subarray(0, end))) return true;
    return false;
  };
  let lo = 0; // validNear(lo)
  let hi = buf.length; // !validNear(hi): the whole buffer is not valid
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (validNear(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Whether bytes cut short at the end of the file begin a character some further bytes would complete. */
function completable(tail: Buffer): boolean {
  const lead = tail[0]!;
  const full = Buffer.alloc(sequenceLength(lead), 0x80);
  tail.copy(full);
  // The second byte's range depends on the lead (no overlong forms, surrogates or code points above U+10FFFF).
  if (tail.length === 1 && full.length > 1) full[1] = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  return isUtf8(full);
}
