// pg-boss with batch fetches of `concurrency` jobs, burst fetching while batches come back
// full, and LISTEN/NOTIFY wake-ups for latency.
import { PgBoss } from 'pg-boss';

export async function open({ location, concurrency, realistic }) {
  const boss = new PgBoss({ connectionString: location, useListenNotify: true, schedule: false, supervise: false, max: 4 });
  boss.on('error', (e) => console.error('pg-boss error', e));
  await boss.start();
  let ready = false;
  const ensureQueue = async () => {
    if (ready) return;
    if (!(await boss.getQueue('bench'))) await boss.createQueue('bench', { notify: true, retryLimit: 0 });
    ready = true;
  };
  return {
    setup: async () => {
      await ensureQueue();
      const db = boss.getDb();
      await db.executeSql('create table if not exists bench_write (id bigserial primary key, n int not null, at timestamptz not null)');
    },
    enqueueMany: async (payloads) => {
      await ensureQueue();
      await boss.insert('bench', payloads.map((data) => ({ data })));
    },
    enqueueOne: async (payload) => {
      await boss.send('bench', payload);
    },
    start: async (onTask) => {
      await ensureQueue();
      const db = boss.getDb();
      await boss.work('bench', { batchSize: concurrency, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        await Promise.all(
          jobs.map(async (job) => {
            if (realistic) await db.executeSql('insert into bench_write (n, at) values ($1, now())', [job.data.i]);
            await onTask(job.data);
          }),
        );
      });
    },
    stop: async () => {
      await boss.offWork('bench', { wait: true });
    },
    doneCount: async () => {
      const { rows } = await boss.getDb().executeSql("select count(*)::int as c from pgboss.job where name = 'bench' and state = 'completed'");
      return rows[0].c;
    },
    close: () => boss.stop({ graceful: false, close: true }),
  };
}
