/** Reading cells the way rules need them: as numbers, and as they appear in messages. */
import type { Cell } from '../conditions.ts';

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
  const s = v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return JSON.stringify(s);
}
