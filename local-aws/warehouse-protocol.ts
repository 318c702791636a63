/**
 * What the twin's main thread and the warehouse worker (warehouse-worker.ts, which owns PGlite)
 * say to each other. Every request is one unit of work the worker runs alone, start to end:
 * callbacks cannot cross threads, so each kind of work the twin needs is an operation here.
 */

/** A result set, columns by position (two columns may share a name). */
export interface Rows {
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
  readonly rows: readonly unknown[][];
  readonly affectedRows: number;
}

export type Operation =
  /** SQL text, possibly several statements; no result. */
  | { readonly kind: 'exec'; readonly sql: string }
  /** One statement with `$n` parameters; `csv` is what `COPY ... FROM '/dev/blob'` reads. */
  | {
      readonly kind: 'query';
      readonly sql: string;
      readonly params: readonly unknown[];
      readonly csv?: Uint8Array;
    }
  /**
   * Statements in order, each with its `$n` values, in one transaction if `transaction` (all or
   * none); answers the last one's result. A failure names the statement (Failure.statement).
   */
  | {
      readonly kind: 'statements';
      readonly statements: readonly { readonly text: string; readonly values: readonly unknown[] }[];
      readonly transaction: boolean;
    }
  /** The upsert of good.csv (Warehouse.load). */
  | {
      readonly kind: 'load';
      readonly csv: Uint8Array;
      readonly sourceKey: string;
      readonly absent: readonly string[];
    }
  /** A table's columns and their types, in order (the warehouse crawler's catalog query). */
  | { readonly kind: 'columns'; readonly table: string }
  /** Close the database; the worker ends after answering. */
  | { readonly kind: 'close' };

/** What each operation answers. */
export interface Answers {
  exec: null;
  query: Rows;
  statements: Rows;
  load: number;
  columns: { name: string; type: string }[];
  close: null;
}

export interface Request {
  readonly id: number;
  readonly operation: Operation;
}

export interface Failure {
  readonly message: string;
  /** In a `statements` operation, the index of the statement that failed. */
  readonly statement?: number;
}

export type Reply =
  /** The warehouse is open (first message), or could not open (then the worker ends). */
  | { readonly kind: 'ready' }
  | { readonly kind: 'unopenable'; readonly message: string }
  | { readonly kind: 'done'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly failure: Failure };

/** What the worker is given at start (workerData). */
export interface WorkerOptions {
  /** The data directory of the warehouse; none for an in-memory one. */
  readonly dir: string | undefined;
}
