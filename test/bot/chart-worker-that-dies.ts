/** A stand-in for bot/chart-worker.ts: dies on a chart titled "die", else answers with three bytes. */
import { parentPort } from 'node:worker_threads';
import type { DrawRequest, DrawResult } from '../../bot/chart-thread.ts';

parentPort!.on('message', ({ id, chart }: DrawRequest) => {
  if (chart.title === 'die') process.exit(3); // in a worker, ends this thread only
  parentPort!.postMessage({ id, png: new Uint8Array([1, 2, 3]) } satisfies DrawResult);
});
