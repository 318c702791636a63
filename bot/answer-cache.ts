/**
 * Warehouse answers, kept until the views change. Concurrent askers of the same question share
 * one query (fifty people typing `/movies top-rated` at once cost the warehouse one statement).
 * Entries also expire after a while: on Lambda, only the instance that receives a success outcome
 * hears that the views changed.
 */
import type { Row } from './warehouse.ts';

export class AnswerCache {
  private readonly entries = new Map<string, { rows: Promise<Row[]>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached rows for `key`, or those `load` gives (a failed load is not kept). */
  get(key: string, load: () => Promise<Row[]>): Promise<Row[]> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.rows;
    const rows = load();
    const entry = { rows, expires: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    rows.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return rows;
  }

  /** A load changed the views: every kept answer is stale. */
  clear(): void {
    this.entries.clear();
  }
}
