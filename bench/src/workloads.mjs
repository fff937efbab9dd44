// The workloads, defined once; every system runs exactly these steps through its adapter.
import { freshDatabase } from './fresh-db.mjs';
import { spawnChild } from './spawn.mjs';
import { percentile } from './stats.mjs';

const ENQUEUE_BATCH = 10_000;
/** Tasks enqueued one call each, to compare per-task cost with the bulk call. */
const SINGLE_ENQUEUES = 2_000;

/** Enqueues `count` tasks in a child of their own (in bulk, or one call each); returns tasks/s. */
async function enqueue(system, db, count, cfg, single = false) {
  const child = spawnChild({ system, role: 'enqueue', location: db.location, concurrency: cfg.concurrency, count, batch: ENQUEUE_BATCH, single });
  const r = await child.result;
  return (r.count / r.enqueueMs) * 1000;
}

/**
 * Starts `procs` worker processes on the queue, releases them together once all are
 * booted, and stops them when they have run `count` tasks between them.
 */
async function work(system, db, count, procs, cfg, extra = {}) {
  const children = Array.from({ length: procs }, () =>
    spawnChild({ system, role: 'work', location: db.location, concurrency: cfg.concurrency, idSpace: count, target: procs === 1 ? count : 0, ...extra }),
  );
  // A child that fails to boot rejects its result; surface that instead of waiting forever.
  await Promise.race([Promise.all(children.map((c) => c.waitFor('ready'))), Promise.all(children.map((c) => c.result))]).catch((error) => {
    for (const c of children) c.kill();
    throw error;
  });
  if (procs > 1) {
    const counts = new Array(procs).fill(0);
    children.forEach((c, k) =>
      c.on((msg) => {
        if (msg.type !== 'progress') return;
        counts[k] = msg.count;
        if (counts.reduce((a, b) => a + b, 0) >= count) for (const ch of children) ch.send({ type: 'stop' });
      }),
    );
  }
  for (const c of children) c.send({ type: 'go' });
  const results = await Promise.all(children.map((c) => c.result)).catch((error) => {
    for (const c of children) c.kill();
    throw error;
  });
  const startAt = Math.min(...results.map((r) => r.startAt));
  const lastAt = Math.max(...results.map((r) => r.lastAt));
  const executions = results.reduce((a, r) => a + r.count, 0);
  const union = new Uint8Array(count);
  for (const r of results) {
    const seen = Buffer.from(r.seen, 'base64');
    for (let i = 0; i < count; i++) union[i] += seen[i] > 0 ? 1 : 0;
  }
  let distinct = 0;
  for (const c of union) if (c) distinct++;
  // Executions beyond one per task, inside a process or across processes.
  const duplicates = executions - distinct;
  const done = results.map((r) => r.done);
  const cpuMs = results.reduce((a, r) => a + r.cpuMs, 0);
  return { tasksPerSec: (executions / Math.max(1, lastAt - startAt)) * 1000, cpuMsPer1k: (cpuMs / executions) * 1000, duplicates, missing: count - distinct, done: done[0], memory: results[0].memory };
}

async function onFreshDb(kind, fn) {
  const db = await freshDatabase(kind);
  try {
    return await fn(db);
  } finally {
    await db.drop().catch(() => {});
  }
}

export const WORKLOADS = {
  drain: {
    title: 'Drain',
    run: (system, kind, cfg) =>
      onFreshDb(kind, async (db) => {
        const enqueueRate = await enqueue(system, db, cfg.n, cfg);
        const w = await work(system, db, cfg.n, 1, cfg);
        // On a database of its own, so the drain above counts only its own tasks.
        const singleRate = await onFreshDb(kind, (db2) => enqueue(system, db2, Math.min(SINGLE_ENQUEUES, cfg.n), cfg, true));
        return { enqueueRate, singleRate, ...w };
      }),
  },
  realistic: {
    title: 'Realistic',
    sqlOnly: true,
    run: (system, kind, cfg) =>
      onFreshDb(kind, async (db) => {
        await enqueue(system, db, cfg.realisticN, cfg);
        return work(system, db, cfg.realisticN, 1, cfg, { realistic: true });
      }),
  },
  latency: {
    title: 'Latency',
    run: (system, kind, cfg) =>
      onFreshDb(kind, async (db) => {
        const child = spawnChild({ system, role: 'latency', location: db.location, concurrency: cfg.concurrency, count: cfg.latencyN, spacingMs: cfg.spacingMs });
        const r = await child.result;
        if (r.timedOut) throw new Error(`only ${r.samples.length} of ${cfg.latencyN} tasks started within 30 s`);
        return { p50: percentile(r.samples, 50), p95: percentile(r.samples, 95), p99: percentile(r.samples, 99) };
      }),
  },
  scaling: {
    title: 'Scaling',
    postgresOnly: true,
    run: async (system, kind, cfg) => {
      const out = {};
      for (const procs of [1, 2, 4]) {
        const r = await onFreshDb(kind, async (db) => {
          await enqueue(system, db, cfg.n, cfg);
          return work(system, db, cfg.n, procs, cfg);
        });
        out[`p${procs}`] = r.tasksPerSec;
        out[`dup${procs}`] = r.duplicates;
        out[`cpu${procs}`] = r.cpuMsPer1k;
        out[`missing${procs}`] = r.missing;
      }
      return out;
    },
  },
  memory: {
    title: 'Memory',
    run: (system, kind, cfg) =>
      onFreshDb(kind, async (db) => {
        const n = cfg.memoryN;
        const marks = [Math.round(n / 10), Math.round(n / 2), n];
        await enqueue(system, db, n, cfg);
        const w = await work(system, db, n, 1, cfg, { memoryMarks: marks });
        const rss = w.memory.map((m) => m.rss);
        const heap = w.memory.map((m) => m.heap);
        const held = w.memory.map((m) => m.heldRss);
        const growthOf = (xs) => (xs.length === 3 ? (xs[2] - xs[0]) / xs[0] : undefined);
        return { marks, rss, held, heap, growth: growthOf(rss), heldGrowth: growthOf(held), tasksPerSec: w.tasksPerSec };
      }),
  },
};
