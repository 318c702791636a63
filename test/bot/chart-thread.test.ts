import { describe, expect, it } from '@jest/globals';
import { ChartThread, DrawingStopped } from '../../bot/chart-thread.ts';
import { DrawnCharts } from '../../bot/drawn-charts.ts';
import { postChart } from '../../bot/post-chart.ts';

const points = [
  { release_year: 1994, movies: 12, avg_rating: 7.4 },
  { release_year: 1995, movies: 15, avg_rating: 7.9 },
];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('the chart thread', () => {
  it('draws the PNG on a worker, reusing it for the next chart', async () => {
    const thread = new ChartThread();
    try {
      const [a, b] = await Promise.all([
        thread.draw({ title: 'First', points }),
        thread.draw({ title: 'Second', points }),
      ]);
      for (const png of [a, b]) expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect([...(await thread.draw({ title: 'Third', points })).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    } finally {
      await thread.close();
    }
  });

  it('fails the charts of a worker that dies with one sentence, and starts a new worker for the next', async () => {
    const thread = new ChartThread(new URL('./chart-worker-that-dies.ts', import.meta.url).href);
    try {
      const dying = thread.draw({ title: 'die', points });
      await expect(dying).rejects.toThrow(DrawingStopped);
      await expect(dying).rejects.toThrow('its drawing stopped unexpectedly; asking again starts over');
      expect([...(await thread.draw({ title: 'fine', points }))]).toEqual([1, 2, 3]);
    } finally {
      await thread.close();
    }
  });

  it('tells the asker in one sentence, and draws again on the next ask', async () => {
    const charts = new DrawnCharts(
      new ChartThread(new URL('./chart-worker-that-dies.ts', import.meta.url).href),
      60_000,
    );
    const uploads: unknown[] = [];
    const client = { files: { uploadV2: async (args: unknown) => void uploads.push(args) } };
    try {
      const chart = { title: 'die', points };
      const told = await postChart(client as never, 'C0DATA123', chart, charts);
      expect(told).toBe(
        'The chart could not be drawn (its drawing stopped unexpectedly; asking again starts over).',
      );
      expect(uploads).toHaveLength(0);
      // The failure is not kept: asking again draws again (on a new worker).
      expect(await postChart(client as never, 'C0DATA123', { title: 'fine', points }, charts)).toBeNull();
      expect(uploads).toHaveLength(1);
    } finally {
      await charts.close();
    }
  });

  it('fails what it was drawing when closed', async () => {
    const thread = new ChartThread();
    const stopped = expect(thread.draw({ title: 'Never', points })).rejects.toThrow('the bot is stopping');
    await thread.close();
    await stopped;
  });
});
