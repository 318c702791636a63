/** Reading cells the way rules need them: as numbers, and as they appear in messages. */
import type { Cell } from '../conditions.ts';
import type { RawText, Row } from './compiled-rule.ts';

/** A number, or text that reads as one; anything else is NULL. */
export function asNumber(v: Cell): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  const n = Number(v.trim());
  return v.trim() === '' || Number.isNaN(n) ? null : n;
}

/** A cell as a failing-row sample shows it (long text cut short). */
export function show(v: Cell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  return quoted(v);
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/**
 * Column `col` of a failing row as its sample shows it: a NULL that was text in the file is shown
 * as that text, since it is NULL only because it could not be read as its column's type.
 */
export function showCell(values: Row, col: number, raw?: RawText): string {
  const v = values[col] ?? null;
  const text = v === null ? raw?.(col) : undefined;
  return text !== undefined && text.trim() !== '' ? `${quoted(text)} (unreadable as its type)` : show(v);
}
