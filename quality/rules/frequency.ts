import { FrequencyState, KeyHasher } from '../states.ts';
import type { Cell } from '../conditions.ts';

/** Keeps one frequency table up to date; rules read how often the current key was seen before. */
export class FrequencyAnalyzer {
  readonly state = new FrequencyState();
  private readonly hasher = new KeyHasher();
  /** -1: the current row's key is NULL (or filtered out); else how often it was seen before. */
  prior = -1;
  private summary: { unique: number; entropy: number } | null = null;

  constructor(
    private readonly columns: readonly number[],
    private readonly where: ((row: readonly Cell[]) => boolean) | null,
  ) {}

  update(values: readonly Cell[]): void {
    this.prior = -1;
    if (this.where && !this.where(values)) return;
    const h = this.hasher;
    h.reset();
    let allNull = true;
    for (const c of this.columns) {
      const v = values[c] ?? null;
      if (v === null) h.addNull();
      else {
        allNull = false;
        if (typeof v === 'number') h.addNumber(v);
        else h.addString(v);
      }
    }
    if (!allNull) this.prior = this.state.add(h.h1, h.h2);
  }

  /** Values seen exactly once, and the entropy (natural log) of the value distribution. */
  stats(): { unique: number; entropy: number } {
    if (!this.summary) {
      let unique = 0;
      let entropy = 0;
      const n = this.state.rows;
      this.state.forEachCount((c) => {
        if (c === 1) unique++;
        const p = c / n;
        entropy -= p * Math.log(p);
      });
      this.summary = { unique, entropy };
    }
    return this.summary;
  }
}
