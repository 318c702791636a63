import { describe, expect, it } from '@jest/globals';
import { CorrelationState, FrequencyState, KeyHasher, MomentsState } from '../../quality/states.ts';

describe('metric states merge like one pass over the whole', () => {
  const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
  const ys = xs.map((x, i) => x * 2 + (i % 3));

  it('moments', () => {
    const whole = new MomentsState();
    xs.forEach((x) => whole.add(x));
    const a = new MomentsState();
    const b = new MomentsState();
    xs.slice(0, 6).forEach((x) => a.add(x));
    xs.slice(6).forEach((x) => b.add(x));
    a.merge(b);
    expect(a.n).toBe(whole.n);
    expect(a.mean).toBeCloseTo(whole.mean, 12);
    expect(a.variance).toBeCloseTo(whole.variance, 12);
    expect(a.sum).toBe(whole.sum);
    expect([a.min, a.max]).toEqual([1, 9]);
  });

  it('correlation', () => {
    const whole = new CorrelationState();
    xs.forEach((x, i) => whole.add(x, ys[i]!));
    const a = new CorrelationState();
    const b = new CorrelationState();
    xs.forEach((x, i) => (i < 8 ? a : b).add(x, ys[i]!));
    a.merge(b);
    expect(a.correlation).toBeCloseTo(whole.correlation, 12);
    expect(whole.correlation).toBeGreaterThan(0.9);
  });

  it('frequencies, across table growth', () => {
    const hash = new KeyHasher();
    const add = (f: FrequencyState, v: string): number => {
      hash.reset();
      hash.addString(v);
      return f.add(hash.h1, hash.h2);
    };
    const whole = new FrequencyState(16);
    const a = new FrequencyState(16);
    const b = new FrequencyState(16);
    for (let i = 0; i < 5000; i++) {
      const v = `id-${i % 3000}`;
      add(whole, v);
      add(i % 2 ? a : b, v);
    }
    a.merge(b);
    const counts = (f: FrequencyState): number[] => {
      const out: number[] = [];
      f.forEachCount((c) => out.push(c));
      return out.sort();
    };
    expect(whole.distinct).toBe(3000);
    expect(a.distinct).toBe(3000);
    expect(a.rows).toBe(5000);
    expect(counts(a)).toEqual(counts(whole));
    expect(add(whole, 'id-1')).toBe(2);
    expect(add(whole, 'never-seen')).toBe(0);
  });
});

describe('FrequencyState counts', () => {
  it('stay exact past the one-byte range, through growth and merges', () => {
    const hash = new KeyHasher();
    const key = (v: string): [number, number] => {
      hash.reset();
      hash.addString(v);
      return [hash.h1, hash.h2];
    };
    const f = new FrequencyState(16);
    const g = new FrequencyState(16);
    for (let i = 0; i < 1000; i++) f.add(...key('drama'));
    for (let i = 0; i < 100; i++) f.add(...key(`rare-${i}`)); // forces growth while 'drama' is saturated
    for (let i = 0; i < 300; i++) g.add(...key('drama'));
    f.merge(g);
    const counts: number[] = [];
    f.forEachCount((c) => counts.push(c));
    expect(Math.max(...counts)).toBe(1300);
    expect(counts.filter((c) => c === 1)).toHaveLength(100);
    expect(f.add(...key('drama'))).toBe(1300);
    expect(f.rows).toBe(1401);
  });
});
