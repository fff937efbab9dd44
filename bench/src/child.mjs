// One benchmark process: loads one system's adapter and plays one role, talking to the
// parent over IPC. Run only by the parent (bench/run.mjs).
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from '../adapters/index.mjs';

const spec = JSON.parse(process.argv[2]);
const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
const nextMessage = (type) => new Promise((resolve) => {
  const on = (msg) => {
    if (msg?.type !== type) return;
    process.off('message', on);
    resolve(msg);
  };
  process.on('message', on);
});

async function enqueueRole(sys) {
  await sys.setup();
  const { count, batch, single } = spec;
  const t0 = performance.now();
  // One awaited enqueue per task: what an app does without the bulk call.
  if (single) {
    for (let i = 0; i < count; i++) await sys.enqueueOne({ i });
    return { enqueueMs: performance.now() - t0, count };
  }
  for (let start = 0; start < count; start += batch) {
    const payloads = [];
    for (let i = start; i < Math.min(count, start + batch); i++) payloads.push({ i });
    await sys.enqueueMany(payloads);
  }
  return { enqueueMs: performance.now() - t0, count };
}

async function workRole(sys) {
  const { target, memoryMarks = [] } = spec;
  const seen = new Uint8Array(spec.idSpace);
  let count = 0;
  let lastAt = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const memory = [];
  const onTask = (payload) => {
    const i = payload.i;
    if (seen[i] < 255) seen[i]++;
    count++;
    lastAt = Date.now();
    // A full collection first: the reading is memory held, not garbage the collector has not
    // reached yet (which alone moved RSS by ±30% between runs of the same build). Then a
    // memory-reducing one (V8's last-resort collection, as under memory pressure), which also
    // gives back the young generation V8 grows to its maximum in any busy process: what is
    // left is what the process holds.
    if (memoryMarks.length && count === memoryMarks[memory.length]) {
      globalThis.gc?.();
      const m = process.memoryUsage();
      globalThis.gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      memory.push({ at: count, rss: m.rss, heldRss: process.memoryUsage().rss, heap: m.heapUsed, external: m.external });
    }
    if (target && count >= target) finish('target');
  };
  await send({ type: 'ready' });
  const stopMsg = nextMessage('stop').then(() => 'stop');
  await nextMessage('go');
  const startAt = Date.now();
  const cpu0 = process.cpuUsage();
  await sys.start(onTask);
  const ticker = setInterval(() => void send({ type: 'progress', count, lastAt }), 100);
  const why = await Promise.race([finished, stopMsg]);
  clearInterval(ticker);
  await sys.stop();
  const cpu = process.cpuUsage(cpu0);
  const done = await sys.doneCount();
  let distinct = 0;
  for (const c of seen) if (c > 0) distinct++;
  return { why, startAt, lastAt, count, cpuMs: (cpu.user + cpu.system) / 1000, distinct, done, memory, seen: Buffer.from(seen).toString('base64') };
}

async function latencyRole(sys) {
  await sys.setup();
  const { count, spacingMs } = spec;
  const samples = [];
  let all;
  const allSeen = new Promise((r) => (all = r));
  await sys.start((payload) => {
    samples.push(Date.now() - payload.t);
    if (samples.length === count) all();
  });
  await sleep(500); // let the worker settle into its idle state
  for (let i = 0; i < count; i++) {
    await sys.enqueueOne({ i, t: Date.now() });
    await sleep(spacingMs);
  }
  const timedOut = await Promise.race([allSeen.then(() => false), sleep(30_000).then(() => true)]);
  await sys.stop();
  return { samples, timedOut };
}

const ROLES = { enqueue: enqueueRole, work: workRole, latency: latencyRole };

try {
  const sys = await loadAdapter(spec.system, { location: spec.location, concurrency: spec.concurrency, realistic: spec.realistic ?? false });
  const result = await ROLES[spec.role](sys);
  await sys.close();
  await send({ type: 'result', result });
  process.exit(0);
} catch (error) {
  await send({ type: 'error', error: String(error?.stack ?? error) });
  process.exit(1);
}
