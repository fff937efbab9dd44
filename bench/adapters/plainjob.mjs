// plainjob on better-sqlite3. It runs one job at a time per worker, so `concurrency` workers
// share the queue in this process (its README's way to scale within a process); its own
// pragmas (WAL, synchronous=NORMAL) apply. Poll interval lowered to 10 ms for latency.
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker } from 'plainjob';

const quiet = { error: (...a) => console.error(...a), warn() {}, info() {}, debug() {} };

export async function open({ location, concurrency, realistic }) {
  const raw = new Database(location);
  const queue = defineQueue({ connection: better(raw), logger: quiet });
  let write;
  let workers = [];
  return {
    setup: async () => {
      raw.exec('create table if not exists bench_write (id integer primary key autoincrement, n integer not null, at integer not null)');
    },
    enqueueMany: async (payloads) => {
      queue.addMany('bench', payloads);
    },
    enqueueOne: async (payload) => {
      queue.add('bench', payload);
    },
    start: async (onTask) => {
      write = realistic ? raw.prepare('insert into bench_write (n, at) values (?, ?)') : null;
      workers = Array.from({ length: concurrency }, () =>
        defineWorker(
          'bench',
          async (job) => {
            const payload = JSON.parse(job.data);
            if (write) write.run(payload.i, Date.now());
            await onTask(payload);
          },
          { queue, logger: quiet, pollIntervall: 10 },
        ),
      );
      for (const w of workers) void w.start();
    },
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
    doneCount: async () => queue.countJobs({ type: 'bench', status: 2 }),
    close: async () => queue.close(),
  };
}
