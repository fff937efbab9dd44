/** Which database each system runs on, and where its adapter lives. */
export const SYSTEMS = {
  ours: { dbs: ['sqlite', 'postgres'], label: 'nest-async-runner' },
  // The same runner with claims sized to free slots (the default): what prefetch buys.
  'ours-p0': { dbs: ['sqlite', 'postgres'], label: 'nest-async-runner, prefetch 0', workloads: ['drain', 'scaling', 'memory'] },
  // The same runner (prefetch 500) in a process whose V8 young generation is capped: what RSS
  // the runner itself holds once V8's default young-generation growth is out of the picture.
  'ours-young2': { dbs: ['sqlite', 'postgres'], label: 'nest-async-runner, node --max-semi-space-size=2', workloads: ['memory'], nodeFlags: ['--max-semi-space-size=2'] },
  limit: { dbs: ['sqlite', 'postgres'], label: 'limit (raw driver)' },
  plainjob: { dbs: ['sqlite'], label: 'plainjob' },
  liteque: { dbs: ['sqlite'], label: 'liteque' },
  'graphile-worker': { dbs: ['postgres'], label: 'graphile-worker' },
  'pg-boss': { dbs: ['postgres'], label: 'pg-boss' },
  bullmq: { dbs: ['redis'], label: 'BullMQ (Redis)' },
};

/**
 * Opens one system in this process. Every adapter returns the same shape:
 * `setup()` creates its schema on the fresh database, `enqueueMany(payloads)` uses the
 * system's bulk API (or its fastest documented way), `enqueueOne(payload)`,
 * `start(onTask)` begins working with `concurrency` slots and calls `onTask(payload)` from
 * inside each handler (after the small write when `realistic`), `stop()`, `doneCount()`
 * (tasks the system recorded as completed) and `close()`.
 */
export async function loadAdapter(system, options) {
  const kind = options.location.startsWith('postgres://') ? 'postgres' : options.location.startsWith('bench_') ? 'redis' : 'sqlite';
  const file = system === 'limit' ? `limit-${kind}.mjs` : system.startsWith('ours') ? 'ours.mjs' : `${system}.mjs`;
  const mod = await import(`./${file}`);
  return mod.open({ ...options, kind, ...(system === 'ours-p0' ? { prefetch: 0 } : {}) });
}
