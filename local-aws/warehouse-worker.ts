/**
 * The warehouse's own thread: it owns the PGlite instance (warehouse-db.ts) and runs one operation
 * at a time (warehouse-protocol.ts). PGlite runs on the thread that calls it, so a long or runaway
 * statement stalls only this thread, and the twin can end it by terminating the worker. Started
 * through warehouse-thread.js; the main-thread side is warehouse.ts.
 */
import type { PGlite } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, perform, StatementError } from './warehouse-db.ts';
import type { Failure, Reply, Request, WorkerOptions } from './warehouse-protocol.ts';

function failure(err: unknown): Failure {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof StatementError ? { message, statement: err.index } : { message };
}

/** As a worker: open, say so, then answer each request in turn. */
async function serve(port: NonNullable<typeof parentPort>, options: WorkerOptions): Promise<void> {
  const say = (reply: Reply): void => port.postMessage(reply);
  let db: PGlite;
  try {
    db = await openDatabase(options.dir);
  } catch (err) {
    say({ kind: 'unopenable', message: failure(err).message });
    port.close();
    return;
  }
  say({ kind: 'ready' });
  // One at a time: the main thread sends the next request only once this one is answered.
  port.on('message', (request: Request) => {
    perform(db, request.operation).then(
      (value) => {
        say({ kind: 'done', id: request.id, value });
        if (request.operation.kind === 'close') port.close();
      },
      (err: unknown) => say({ kind: 'failed', id: request.id, failure: failure(err) }),
    );
  });
}

void serve(parentPort!, workerData as WorkerOptions);
