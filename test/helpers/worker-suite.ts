import { after, before } from 'node:test';
import type { DbKind } from './databases.js';
import { createExecTable } from './scale-db.js';
import { createTestApp, type TestApp } from './test-app.js';
import { WorkerPool } from './workers.js';

/** The producer app and the worker pool of a suite, available once its `before` hook ran. */
export interface WorkerSuite {
  readonly t: TestApp;
  readonly pool: WorkerPool;
}

/**
 * Declares the hooks every multi-process suite needs: a producer app on a fresh database (it
 * enqueues names only the workers handle), the table workers record executions in, and a pool
 * of worker processes with `workerEnv`; afterwards the workers are killed before the app closes.
 */
export function workerSuite(kind: DbKind, workerEnv: Record<string, string>, setup?: (t: TestApp) => Promise<void>): WorkerSuite {
  const suite = {} as { t: TestApp; pool: WorkerPool };
  before(async () => {
    suite.t = await createTestApp({ kind, runner: { allowUnknownTasks: true } });
    await createExecTable(suite.t);
    await setup?.(suite.t);
    suite.pool = new WorkerPool(suite.t.db, workerEnv);
  });
  after(async () => {
    await suite.pool?.killAll();
    await suite.t?.close();
  });
  return suite;
}
