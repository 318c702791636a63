/**
 * Mergeable metric states, in the manner of deequ's analyzers: each is updated row by row in
 * one pass, two states over disjoint slices of a dataset merge into the state of the whole,
 * and metrics are read off a state at the end. Constraints only ever look at metrics.
 */

/** Rows seen and rows that matched a predicate (Completeness, Compliance, RowCount). */
export class CountState {
  rows = 0;
  matched = 0;
  merge(other: CountState): void {
    this.rows += other.rows;
    this.matched += other.matched;
  }
  get ratio(): number {
    return this.rows === 0 ? 1 : this.matched / this.rows;
  }
}

/** Count, mean, sum, M2 (Welford/Chan), min and max of the non-null values of a column. */
export class MomentsState {
  n = 0;
  mean = 0;
  m2 = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(x: number): void {
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  merge(o: MomentsState): void {
    if (o.n === 0) return;
    const n = this.n + o.n;
    const delta = o.mean - this.mean;
    this.m2 += o.m2 + (delta * delta * this.n * o.n) / n;
    this.mean += (delta * o.n) / n;
    this.n = n;
    this.sum += o.sum;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  /** Population variance, as Glue computes it. */
  get variance(): number {
    return this.n === 0 ? NaN : this.m2 / this.n;
  }
}

/** Co-moments of two columns for Pearson correlation (rows where either is NULL are skipped). */
export class CorrelationState {
  n = 0;
  xMean = 0;
  yMean = 0;
  ck = 0;
  xm2 = 0;
  ym2 = 0;

  add(x: number, y: number): void {
    this.n++;
    const dx = x - this.xMean;
    this.xMean += dx / this.n;
    const dy = y - this.yMean;
    this.yMean += dy / this.n;
    this.ck += dx * (y - this.yMean);
    this.xm2 += dx * (x - this.xMean);
    this.ym2 += dy * (y - this.yMean);
  }

  merge(o: CorrelationState): void {
    if (o.n === 0) return;
    const n = this.n + o.n;
    const dx = o.xMean - this.xMean;
    const dy = o.yMean - this.yMean;
    const f = (this.n * o.n) / n;
    this.ck += o.ck + dx * dy * f;
    this.xm2 += o.xm2 + dx * dx * f;
    this.ym2 += o.ym2 + dy * dy * f;
    this.xMean += (dx * o.n) / n;
    this.yMean += (dy * o.n) / n;
    this.n = n;
  }

  get correlation(): number {
    return this.n < 2 ? NaN : this.ck / Math.sqrt(this.xm2 * this.ym2);
  }
}

/**
 * Value → count for Uniqueness, UniqueValueRatio, DistinctValuesCount and Entropy. Keys are
 * kept as 64-bit hashes in flat typed arrays with one-byte counts (counts of 255 and more move
 * to a small side map), 9 bytes a slot: 4 million distinct ids cost ~72 MB instead of
 * gigabytes of strings. Two values collide with odds ~n²/2⁶⁵.
 */
export class FrequencyState {
  private h1: Int32Array;
  private h2: Int32Array;
  private counts: Uint8Array;
  /** Exact counts of the slots whose one-byte count is saturated. */
  private big = new Map<number, number>();
  private mask: number;
  /** Distinct non-null keys. */
  distinct = 0;
  /** Rows whose key was not NULL. */
  rows = 0;

  constructor(capacity = 1024) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.h1 = new Int32Array(size);
    this.h2 = new Int32Array(size);
    this.counts = new Uint8Array(size);
    this.mask = size - 1;
  }

  /** Count one occurrence of the key (h1, h2); returns how often it was seen before. */
  add(h1: number, h2: number, times = 1): number {
    this.rows += times;
    let slot = mix(h1) & this.mask;
    for (;;) {
      const c = this.counts[slot]!;
      if (c === 0) {
        this.h1[slot] = h1;
        this.h2[slot] = h2;
        this.store(slot, times);
        if (++this.distinct * 4 > this.counts.length * 3) this.grow();
        return 0;
      }
      if (this.h1[slot] === h1 && this.h2[slot] === h2) {
        const before = c === SATURATED ? this.big.get(slot)! : c;
        this.store(slot, before + times);
        return before;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  merge(o: FrequencyState): void {
    o.forEach((h1, h2, c) => this.add(h1, h2, c));
  }

  /** Calls fn with the count of every distinct key. */
  forEachCount(fn: (count: number) => void): void {
    this.forEach((_h1, _h2, c) => fn(c));
  }

  private forEach(fn: (h1: number, h2: number, count: number) => void): void {
    const { counts, h1, h2, big } = this;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c) fn(h1[i]!, h2[i]!, c === SATURATED ? big.get(i)! : c);
    }
  }

  private store(slot: number, count: number): void {
    if (count < SATURATED) this.counts[slot] = count;
    else {
      this.counts[slot] = SATURATED;
      this.big.set(slot, count);
    }
  }

  private grow(): void {
    const { h1, h2, counts, big } = this;
    const size = counts.length * 2;
    this.h1 = new Int32Array(size);
    this.h2 = new Int32Array(size);
    this.counts = new Uint8Array(size);
    this.big = new Map();
    this.mask = size - 1;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (!c) continue;
      let slot = mix(h1[i]!) & this.mask;
      while (this.counts[slot]) slot = (slot + 1) & this.mask;
      this.h1[slot] = h1[i]!;
      this.h2[slot] = h2[i]!;
      this.store(slot, c === SATURATED ? big.get(i)! : c);
    }
  }
}

const SATURATED = 255;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Incremental 64-bit hashing of a key made of one or more values (two independent 32-bit lanes). */
export class KeyHasher {
  h1 = 0;
  h2 = 0;
  private static readonly f64 = new Float64Array(1);
  private static readonly u32 = new Uint32Array(KeyHasher.f64.buffer);

  reset(): void {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9747b28c;
  }

  addString(s: string): void {
    let a = this.h1 ^ 0x73;
    let b = this.h2 ^ 0x53;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.h1 = Math.imul(a ^ s.length, 0x01000193);
    this.h2 = Math.imul(b ^ 0x1f, 0x5bd1e995);
  }

  addNumber(x: number): void {
    KeyHasher.f64[0] = x === 0 ? 0 : x; // -0 and 0 are one value
    const lo = KeyHasher.u32[0]!;
    const hi = KeyHasher.u32[1]!;
    this.h1 = Math.imul(Math.imul(this.h1 ^ 0x6e, 0x01000193) ^ lo, 0x01000193) ^ hi;
    this.h1 = Math.imul(this.h1, 0x01000193);
    this.h2 = Math.imul(Math.imul(this.h2 ^ 0x4e, 0x5bd1e995) ^ hi, 0x5bd1e995) ^ lo;
    this.h2 = Math.imul(this.h2 ^ (this.h2 >>> 13), 0x5bd1e995);
  }

  addNull(): void {
    this.h1 = Math.imul(this.h1 ^ 0x7f, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ 0x7f, 0x5bd1e995);
  }
}
