/**
 * The worker thread that draws the trends charts (bot/chart-thread.ts starts it): a drawing takes
 * the CPU for a while, and here it takes none from the event loop that acknowledges Slack.
 * A message is one chart to draw; the answer carries its id and the PNG, or why it failed.
 */
import { parentPort } from 'node:worker_threads';
import { trendsPng } from './chart.ts';
import type { DrawRequest, DrawResult } from './chart-thread.ts';

const port = parentPort!;
port.on('message', ({ id, chart }: DrawRequest) => {
  trendsPng(chart.points, chart.title).then(
    (png) => port.postMessage({ id, png } satisfies DrawResult),
    (err: unknown) => port.postMessage({ id, error: (err as Error).message } satisfies DrawResult),
  );
});
