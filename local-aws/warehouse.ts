/**
 * The local warehouse: embedded PostgreSQL (PGlite) persisted in the data directory, run in a
 * worker thread of its own (warehouse-worker.ts) so that a long statement never stalls the
 * twin's HTTP. This side queues operations and sends them one at a time, so that units of work
 * (a load, a batch) never interleave. A running operation can be cancelled: PGlite cannot
 * interrupt a statement, so the worker is terminated and the warehouse reopened from disk,
 * with what was committed; the queued operations then run.
 */
import { Worker } from 'node:worker_threads';
import type { DropLayout } from '../contract/movie-reader.ts';
import type { Answers, Operation, Reply, Rows, WorkerOptions } from './warehouse-protocol.ts';

export { LOAD_COLUMNS } from './warehouse-db.ts';
export type { Rows } from './warehouse-protocol.ts';

/** A statement or operation the warehouse refused or failed. */
export class WarehouseError extends Error {
  constructor(
    message: string,
    /** In a batch, the index of the statement that failed. */
    readonly statement?: number,
  ) {
    super(message);
  }
}

/** The data directory holds a warehouse that cannot be opened. */
export class WarehouseOpenError extends Error {
  constructor(
    /** What went wrong, in a few words (PGlite's first line). */
    readonly reason: string,
  ) {
    super(`The warehouse cannot be opened: ${reason}`);
  }
}

/** How long close() lets a running operation finish before it ends the worker. */
const CLOSE_GRACE_MS = 2000;

interface Job {
  readonly operation: Operation;
  resolve(value: unknown): void;
  reject(err: Error): void;
  readonly signal: AbortSignal | undefined;
  readonly onStart: (() => void) | undefined;
}

export interface RunOptions {
  /** Aborting cancels the operation: queued, it never runs; running, it is stopped. */
  readonly signal?: AbortSignal;
  /** Called when the operation leaves the queue and starts. */
  readonly onStart?: () => void;
}

function cancelled(): WarehouseError {
  return new WarehouseError('Query cancelled on user request');
}

export class Warehouse {
  private worker!: Worker;
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  /** Set while the worker opens the warehouse (at start, after a cancel). */
  private opening: Promise<void> | undefined;
  private broken: Error | undefined;
  private closing = false;
  private nextId = 0;
  /** Called once nothing runs (see close). */
  private idleWaiters: (() => void)[] = [];

  private constructor(private readonly dir: string | undefined) {}

  /** Opens (or creates) the warehouse in `dir`, or an in-memory one without. */
  static async open(dir: string | undefined): Promise<Warehouse> {
    const wh = new Warehouse(dir);
    await wh.start();
    return wh;
  }

  private start(): Promise<void> {
    const options: WorkerOptions = { dir: this.dir };
    const worker = new Worker(new URL('./warehouse-thread.js', import.meta.url), { workerData: options });
    this.worker = worker;
    this.opening = new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: Reply) => {
        if (reply.kind === 'ready') {
          ready = true;
          resolve();
        } else if (reply.kind === 'unopenable') reject(new WarehouseOpenError(oneLine(reply.message)));
        else this.answered(reply);
      });
      worker.on('error', (err) => {
        if (!ready) reject(new WarehouseOpenError(oneLine(err.message)));
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new WarehouseOpenError(`its worker exited with ${code}`));
        else if (this.worker === worker)
          this.lost(`The warehouse stopped unexpectedly (its worker exited with ${code}).`);
      });
    }).finally(() => (this.opening = undefined));
    return this.opening;
  }

  private answered(reply: Extract<Reply, { kind: 'done' | 'failed' }>): void {
    const job = this.running;
    if (!job || reply.id !== this.nextId) return; // a cancelled operation's late answer
    this.running = undefined;
    if (reply.kind === 'done') job.resolve(reply.value);
    else job.reject(new WarehouseError(reply.failure.message, reply.failure.statement));
    this.pump();
  }

  /** The worker ended by itself: what ran fails, the warehouse reopens, the queue goes on. */
  private lost(message: string): void {
    this.running?.reject(new WarehouseError(message));
    this.running = undefined;
    if (!this.closing) this.reopen();
  }

  private reopen(): void {
    this.start().then(
      () => this.pump(),
      (err: Error) => {
        this.broken = err;
        for (const job of this.queue.splice(0)) job.reject(err);
        for (const idle of this.idleWaiters.splice(0)) idle();
      },
    );
  }

  private pump(): void {
    if (this.running || this.opening) return;
    const job = this.queue.shift();
    if (!job) {
      for (const idle of this.idleWaiters.splice(0)) idle();
      return;
    }
    this.running = job;
    job.onStart?.();
    this.worker.postMessage({ id: ++this.nextId, operation: job.operation });
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.reject(cancelled());
    } else if (this.running === job) {
      this.running = undefined;
      job.reject(cancelled());
      const worker = this.worker;
      this.worker = undefined as unknown as Worker; // its exit is not a loss
      void worker.terminate();
      this.reopen();
    }
  }

  /** Queues an operation for the worker. */
  private run<K extends Operation['kind']>(
    operation: Extract<Operation, { kind: K }>,
    options: RunOptions = {},
  ): Promise<Answers[K]> {
    return new Promise<Answers[K]>((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      if (this.closing) return reject(new WarehouseError('The warehouse is closed.'));
      if (options.signal?.aborted) return reject(cancelled());
      const job: Job = {
        operation,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal: options.signal,
        onStart: options.onStart,
      };
      options.signal?.addEventListener('abort', () => this.cancel(job), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Runs SQL text (one statement or several), with no result. */
  exec(sql: string): Promise<void> {
    return this.run({ kind: 'exec', sql }).then(() => undefined);
  }

  /**
   * One statement with `$n` parameters, rows as objects keyed by column name. `csv` is what
   * `COPY ... FROM '/dev/blob'` reads.
   */
  async query<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: { csv?: Uint8Array } = {},
  ): Promise<{ rows: T[]; affectedRows: number }> {
    const r = await this.run({ kind: 'query', sql, params, ...(options.csv ? { csv: options.csv } : {}) });
    return {
      rows: r.rows.map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, row[i]])) as T),
      affectedRows: r.affectedRows,
    };
  }

  /**
   * Statements in order, each with its `$n` values, in one transaction if `transaction`; the
   * last one's rows, columns by position. A failure's WarehouseError names the statement.
   */
  statements(
    statements: readonly { text: string; values: readonly unknown[] }[],
    transaction: boolean,
    options: RunOptions = {},
  ): Promise<Rows> {
    return this.run({ kind: 'statements', statements, transaction }, options);
  }

  /**
   * Upsert good.csv (canonical columns, with header) by movie_id in one transaction: all rows
   * or none. A movie already in the table gets only the columns the drop carries (`layout`,
   * see updatedColumns) and the lineage; the others keep their values. Returns the number of
   * rows loaded.
   */
  load(goodCsv: Uint8Array, sourceKey: string, layout: Pick<DropLayout, 'absent'>): Promise<number> {
    return this.run({ kind: 'load', csv: goodCsv, sourceKey, absent: layout.absent });
  }

  /** A table's columns and their types, in order. */
  columns(table: string): Promise<{ name: string; type: string }[]> {
    return this.run({ kind: 'columns', table });
  }

  /**
   * Closes the warehouse: queued operations are refused; a running one gets `graceMs` to finish,
   * then the worker is ended (what it had not committed is lost, as in a crash).
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new WarehouseError('The warehouse is closed.'));
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const idle = new Promise<void>((resolve) => {
      if (!this.running && !this.opening) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    try {
      if ((await Promise.race([idle, deadline])) !== 'late' && !this.broken) {
        worker.postMessage({ id: ++this.nextId, operation: { kind: 'close' } });
        await Promise.race([exited, deadline]);
      }
    } finally {
      clearTimeout(timer);
    }
    this.running?.reject(new WarehouseError('The warehouse is closed.'));
    this.running = undefined;
    await worker.terminate();
  }
}

/** PGlite's messages can span lines (a minified stack); the first line says what is wrong. */
function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
