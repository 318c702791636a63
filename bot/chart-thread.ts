/**
 * Draws the trends charts on a worker thread (bot/chart-worker.ts), so that a drawing — vega, then
 * resvg, a CPU-bound while each — never holds up the event loop that acknowledges Slack. The
 * worker starts with the first chart asked for and is reused; a worker that dies fails the charts
 * it was drawing with one sentence, and the next chart starts a new one. close() ends it.
 *
 * The bot runs its TypeScript on tsx (or under jest's transform), which a worker does not
 * inherit: the worker's first line loads tsx's loader for its own thread, then the entry.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrendsChart } from './answers.ts';
import type { ChartDrawer } from './drawn-charts.ts';

export interface DrawRequest {
  readonly id: number;
  readonly chart: TrendsChart;
}

export type DrawResult =
  | { readonly id: number; readonly png: Uint8Array; readonly error?: undefined }
  | { readonly id: number; readonly error: string; readonly png?: undefined };

/** The drawing stopped with its worker; the message reads inside "The chart could not be drawn (…)". */
export class DrawingStopped extends Error {}

const ENTRY = new URL('./chart-worker.ts', import.meta.url).href;

/**
 * A runaway drawing ends its worker, not the bot. Vega, the WASM rasterizer and one chart's
 * scene fit in a fraction of this.
 */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256 };

/** Code for `new Worker(…, { eval: true })`: tsx for this thread, then the entry module. */
function bootstrap(entry: string): string {
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const [api, module] = [pathToFileURL(tsx).href, entry].map((s) => JSON.stringify(s));
  return `import(${api}).then((tsx) => tsx.tsImport(${module}, ${module}));`;
}

export class ChartThread implements ChartDrawer {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (png: Uint8Array) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  /** `entry`: the worker's module (a file URL); tests pass one that misbehaves. */
  constructor(private readonly entry: string = ENTRY) {}

  draw(chart: TrendsChart): Promise<Uint8Array> {
    const id = ++this.nextId;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.started().postMessage({ id, chart } satisfies DrawRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new DrawingStopped('the bot is stopping'));
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(bootstrap(this.entry), { eval: true, resourceLimits: RESOURCE_LIMITS });
    // Idle, it keeps nobody alive: `movies bot` and the tests end as if it were not there.
    worker.unref();
    worker.on('message', ({ id, png, error }: DrawResult) => {
      const job = this.pending.get(id);
      this.pending.delete(id);
      if (error === undefined) job?.resolve(png);
      else job?.reject(new Error(error));
    });
    // Whatever ends it, the charts it held fail, and the next one starts a new worker.
    const gone = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.fail(new DrawingStopped(why));
    };
    worker.on('error', (err) => gone(`its drawing failed: ${err.message}; asking again starts over`));
    worker.on('exit', () => gone('its drawing stopped unexpectedly; asking again starts over'));
    this.worker = worker;
    return worker;
  }

  private fail(err: Error): void {
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
  }
}
