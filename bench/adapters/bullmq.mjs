// BullMQ on the local Redis, the reference most Node users know: addBulk for bulk enqueue,
// one Worker with `concurrency`. Each run uses a fresh key prefix.
import { Queue, Worker } from 'bullmq';
import { REDIS } from '../src/fresh-db.mjs';

export async function open({ location, concurrency, realistic }) {
  const connection = { ...REDIS };
  const prefix = location;
  const queue = new Queue('bench', { connection, prefix });
  let worker;
  return {
    setup: async () => {},
    enqueueMany: async (payloads) => {
      await queue.addBulk(payloads.map((data) => ({ name: 'bench', data, opts: { removeOnComplete: true } })));
    },
    enqueueOne: async (payload) => {
      await queue.add('bench', payload, { removeOnComplete: true });
    },
    start: async (onTask) => {
      if (realistic) throw new Error('BullMQ has no SQL database to write to; the realistic workload is SQL-only.');
      worker = new Worker('bench', async (job) => onTask(job.data), { connection, prefix, concurrency });
      await worker.waitUntilReady();
    },
    stop: async () => {
      await worker.close();
    },
    // Completed jobs are removed (removeOnComplete); report what is left unfinished.
    doneCount: async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      const left = Object.values(c).reduce((a, b) => a + b, 0);
      return left === 0 ? 'all' : -left;
    },
    close: () => queue.close(),
  };
}
