/**
 * Writes CSV next to its destination and renames it into place only on commit, so a run that
 * fails half-way never leaves a half-written good.csv behind.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
// What a spreadsheet may read as a formula: =, +, - or @ (or their full-width forms, which some
// read as the same), also after leading spaces that an import may trim; and a leading tab or
// line break, which can hide one.
const FORMULA = /^(?:[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * For files people open in spreadsheets: a cell that would run as a formula (=, +, -, @, also
 * after spaces or in full width) gets a leading apostrophe. Plain numbers such as -40 are left alone.
 */
export function spreadsheetSafe(value: string): string {
  return FORMULA.test(value) && !PLAIN_NUMBER.test(value.trim()) ? `'${value}` : value;
}

export class AtomicCsvWriter {
  private readonly temp: string;
  private fd: number;
  private chunks: string[] = [];
  private pending = 0;

  constructor(private readonly path: string) {
    this.temp = `${path}.${process.pid}.partial`;
    this.fd = openSync(this.temp, 'w');
  }

  row(cells: readonly (string | number | null)[]): void {
    const line = cells.map(csvCell).join(',') + '\n';
    this.chunks.push(line);
    this.pending += line.length;
    if (this.pending > 1 << 20) this.flush();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.temp, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.chunks.length) writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.pending = 0;
  }
}
