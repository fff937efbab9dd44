// liteque (drizzle on better-sqlite3) with its own WAL setup. It has no bulk enqueue, so a
// bulk enqueue is a loop of `enqueue` calls. Poll interval lowered to 10 ms for latency.
import { readFileSync } from 'node:fs';
import { Runner, SqliteQueue, buildDBClient } from 'liteque';

const VERSION = JSON.parse(readFileSync(new URL('../node_modules/liteque/package.json', import.meta.url), 'utf8')).version;

export async function open({ location, concurrency, realistic }) {
  const db = buildDBClient(location, { runMigrations: true, walEnabled: true });
  const raw = db.$client ?? db.session.client;
  const queue = new SqliteQueue('bench', db, { defaultJobArgs: { numRetries: 0 }, keepFailedJobs: true });
  let runner;
  let running = Promise.resolve();
  return {
    setup: async () => {
      raw.exec('create table if not exists bench_write (id integer primary key autoincrement, n integer not null, at integer not null)');
    },
    enqueueMany: async (payloads) => {
      for (const p of payloads) await queue.enqueue(p);
    },
    enqueueOne: async (payload) => {
      await queue.enqueue(payload);
    },
    start: async (onTask) => {
      const write = realistic ? raw.prepare('insert into bench_write (n, at) values (?, ?)') : null;
      runner = new Runner(
        queue,
        {
          run: async (job) => {
            if (write) write.run(job.data.i, Date.now());
            await onTask(job.data);
          },
        },
        { concurrency, pollIntervalMs: 10, timeoutSecs: 60 },
      );
      running = runner.run();
      // liteque 0.8.0 fails on its first dequeue here; report that instead of hanging.
      await Promise.race([running, new Promise((r) => setTimeout(r, 200))]).catch((error) => {
        throw new Error(
          `liteque ${VERSION} cannot dequeue: its attemptDequeue passes an async function to better-sqlite3's synchronous ` +
            `transaction() through drizzle-orm 0.33, which better-sqlite3 rejects ("${error.message}").`,
        );
      });
    },
    stop: async () => {
      runner.stop();
      await running;
    },
    // liteque deletes a task row once it completes; report what is left unfinished.
    doneCount: async () => {
      const left = raw.prepare('select count(*) as c from tasks').get().c;
      return left === 0 ? 'all' : -left;
    },
    close: async () => raw.close(),
  };
}
