import { describe, expect, it } from '@jest/globals';
import { AnswerCache } from '../../bot/answer-cache.ts';
import type { Row } from '../../bot/warehouse.ts';

describe('the answer cache', () => {
  it('asks the warehouse once for many concurrent askers, and again after clear() or the TTL', async () => {
    let now = 0;
    let loads = 0;
    const cache = new AnswerCache<Row[]>(1000, () => now);
    const load = async (): Promise<Row[]> => [{ n: ++loads }];
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get('q', load)));
    expect(new Set(answers.map((a) => a[0]!.n))).toEqual(new Set([1]));
    cache.clear();
    expect(await cache.get('q', load)).toEqual([{ n: 2 }]);
    now = 999;
    expect(await cache.get('q', load)).toEqual([{ n: 2 }]);
    now = 1001;
    expect(await cache.get('q', load)).toEqual([{ n: 3 }]);
  });

  it('hands out an answer without waiting only once it is loaded, and not past the TTL', async () => {
    let now = 0;
    const cache = new AnswerCache<Row[]>(1000, () => now);
    let finish: (rows: Row[]) => void = () => {};
    const loading = cache.get('q', () => new Promise<Row[]>((r) => (finish = r)));
    expect(cache.peek('q')).toBeUndefined();
    finish([{ n: 1 }]);
    await loading;
    expect(cache.peek('q')).toEqual([{ n: 1 }]);
    now = 1001;
    expect(cache.peek('q')).toBeUndefined();
  });

  it('does not keep a failed answer', async () => {
    const cache = new AnswerCache<Row[]>(60_000);
    await expect(cache.get('q', () => Promise.reject(new Error('timed out')))).rejects.toThrow('timed out');
    expect(await cache.get('q', async () => [{ ok: true }])).toEqual([{ ok: true }]);
  });

  it('keeps at most maxEntries questions, dropping the oldest', async () => {
    let loads = 0;
    const cache = new AnswerCache<Row[]>(60_000, Date.now, 2);
    const load = async (): Promise<Row[]> => [{ n: ++loads }];
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // 'a' goes
    expect(await cache.get('b', load)).toEqual([{ n: 2 }]);
    expect(await cache.get('a', load)).toEqual([{ n: 4 }]);
  });
});
