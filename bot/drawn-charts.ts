/**
 * The trends charts as PNGs, drawn once for the data they show: the key is the chart's title and
 * points, so everyone asking about the same years while the views stay as they are shares one
 * drawing, and concurrent askers wait on the same one. A successful load makes every drawing
 * stale (clear(), beside the answers'); a failed drawing is not kept.
 */
import { AnswerCache } from './answer-cache.ts';
import type { TrendsChart } from './answers.ts';

/** What draws a chart: a worker thread (bot/chart-thread.ts) or this thread (inProcess). */
export interface ChartDrawer {
  draw(chart: TrendsChart): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Drawing on the calling thread. For Lambda: an invocation carries one request, and the one that
 * draws is the second, which answers on the response URL; nothing else waits on its event loop.
 */
export const inProcess: ChartDrawer = {
  async draw(chart) {
    // Loaded only when a chart is asked for: vega and the rasterizer take a second to load.
    const { trendsPng } = await import('./chart.ts');
    return trendsPng(chart.points, chart.title);
  },
  async close() {},
};

/** A distinct range is a distinct chart, of about 50 KB: a few dozen cover what people ask. */
const MAX_CHARTS = 32;

export class DrawnCharts {
  private readonly kept: AnswerCache<Uint8Array>;

  constructor(
    private readonly drawer: ChartDrawer,
    ttlMs: number,
    /** Told of each drawing, with how long it took. */
    private readonly drew: (line: string) => void = () => {},
  ) {
    this.kept = new AnswerCache<Uint8Array>(ttlMs, Date.now, MAX_CHARTS);
  }

  png(chart: TrendsChart): Promise<Uint8Array> {
    return this.kept.get(JSON.stringify([chart.title, chart.points]), async () => {
      const started = performance.now();
      const png = await this.drawer.draw(chart);
      this.drew(`Drew the chart "${chart.title}" in ${Math.round(performance.now() - started)} ms.`);
      return png;
    });
  }

  /** The views changed: the next chart is drawn again. */
  clear(): void {
    this.kept.clear();
  }

  close(): Promise<void> {
    return this.drawer.close();
  }
}
