// graphile-worker with its documented batching on: a local queue that fetches and locks
// jobs in batches, and batched completion writes (completeJobBatchDelay 0).
import { Logger, makeWorkerUtils, run } from 'graphile-worker';

const silent = new Logger(() => () => {});

export async function open({ location, concurrency, realistic }) {
  const utils = await makeWorkerUtils({ connectionString: location, logger: silent });
  let runner;
  return {
    setup: async () => {
      await utils.migrate();
      await utils.withPgClient((c) => c.query('create table if not exists bench_write (id bigserial primary key, n int not null, at timestamptz not null)'));
    },
    enqueueMany: async (payloads) => {
      await utils.addJobs(payloads.map((payload) => ({ identifier: 'bench', payload, maxAttempts: 1 })));
    },
    enqueueOne: async (payload) => {
      await utils.addJob('bench', payload, { maxAttempts: 1 });
    },
    start: async (onTask) => {
      runner = await run({
        connectionString: location,
        concurrency,
        noHandleSignals: true,
        pollInterval: 1000,
        logger: silent,
        taskList: {
          bench: async (payload, helpers) => {
            if (realistic) await helpers.query('insert into bench_write (n, at) values ($1, now())', [payload.i]);
            await onTask(payload);
          },
        },
        preset: {
          worker: {
            localQueue: { size: 500 },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          },
        },
      });
    },
    stop: async () => {
      await runner.stop();
    },
    doneCount: async () => {
      // Completed jobs are deleted; count what is left and let the caller compare.
      const { rows } = await utils.withPgClient((c) => c.query('select count(*)::int as c from graphile_worker.jobs'));
      return rows[0].c === 0 ? 'all' : -rows[0].c;
    },
    close: () => utils.release(),
  };
}
