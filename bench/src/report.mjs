import { SYSTEMS } from '../adapters/index.mjs';
import { median } from './stats.mjs';

const DB_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL', redis: 'Redis' };
const fmtInt = (v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
const fmtMs = (v) => (v === undefined ? '–' : v < 10 ? v.toFixed(1) : Math.round(v).toString());
const fmtMb = (v) => (v === undefined ? '–' : `${Math.round(v / 2 ** 20)} MB`);
const fmtRatio = (v) => (v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(v >= 10 ? 0 : 2)}×`);

/** Median of each numeric field over the successful repetitions of one cell. */
export function aggregate(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return { error: runs[0]?.error ?? 'not run' };
  const out = { runs: ok.length };
  for (const key of Object.keys(ok[0])) {
    const values = ok.map((r) => r[key]);
    if (typeof values[0] === 'number') out[key] = median(values);
    else if (Array.isArray(values[0])) out[key] = values[0].map((_, i) => median(values.map((v) => v[i])));
    else out[key] = values[values.length - 1];
  }
  return out;
}

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map((h, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The row for "ours" that a system compares against: same database, or the first we have. */
function oursFor(cells, db) {
  return cells[db]?.ours ?? cells.postgres?.ours ?? cells.sqlite?.ours;
}

function rowsOf(cells, fn) {
  const rows = [];
  for (const db of Object.keys(cells)) {
    for (const system of Object.keys(cells[db])) {
      const c = cells[db][system];
      const label = [DB_LABEL[db], SYSTEMS[system].label];
      rows.push(c.error ? [...label, `error: ${c.error.slice(0, 120)}`] : [...label, ...fn(c, oursFor(cells, db), db, system)]);
    }
  }
  return rows;
}

const check = (c) => (c.done === 'all' || c.done === c.n ? 'all' : typeof c.done === 'number' && c.done < 0 ? `${-c.done} left` : c.done == null ? '?' : String(c.done));

/** Markdown tables, one per workload, medians over repetitions; ratios are ours ÷ system. */
export function renderTables(results, cfg) {
  const out = [];
  const per = (w) => results[w] ?? {};
  if (results.drain) {
    out.push(`### Drain: ${fmtInt(cfg.n)} no-op tasks, one worker process, concurrency ${cfg.concurrency}`, '',
      table(['database', 'system', 'bulk enqueue (tasks/s)', 'single enqueues (tasks/s)', 'drain (tasks/s)', 'ours ÷ this (drain)', 'worker CPU ms / 1k tasks', 'duplicates', 'completed'],
        rowsOf(per('drain'), (c, o) => [fmtInt(c.enqueueRate), fmtInt(c.singleRate), fmtInt(c.tasksPerSec), fmtRatio(o && !o.error ? o.tasksPerSec / c.tasksPerSec : undefined), fmtInt(c.cpuMsPer1k), fmtInt(c.duplicates), check({ ...c, n: cfg.n })])), '');
  }
  if (results.latency) {
    out.push(`### Latency: ${cfg.latencyN} tasks enqueued one at a time, ${cfg.spacingMs} ms apart, to an idle worker (enqueue → handler start, ms)`, '',
      table(['database', 'system', 'p50', 'p95', 'p99', 'this p50 ÷ ours p50'],
        rowsOf(per('latency'), (c, o) => [fmtMs(c.p50), fmtMs(c.p95), fmtMs(c.p99), fmtRatio(o && !o.error ? c.p50 / o.p50 : undefined)])), '');
  }
  if (results.scaling) {
    out.push(`### Scaling: ${fmtInt(cfg.n)} no-op tasks drained by 1, 2 and 4 worker processes (tasks/s; duplicate executions)`, '',
      table(['database', 'system', '1 process', '2 processes', '4 processes', '2 ÷ 1', '4 ÷ 1', 'worker CPU ms / 1k tasks (1/2/4)', 'duplicates (1/2/4)'],
        rowsOf(per('scaling'), (c) => [fmtInt(c.p1), fmtInt(c.p2), fmtInt(c.p4), fmtRatio(c.p2 / c.p1), fmtRatio(c.p4 / c.p1), [c.cpu1, c.cpu2, c.cpu4].map((x) => (x === undefined ? '–' : Math.round(x))).join('/'), `${c.dup1}/${c.dup2}/${c.dup4}`])), '');
  }
  if (results.memory) {
    const m = cfg.memoryN;
    const pct = (a, b) => (a && b ? `${(((b - a) / a) * 100).toFixed(1)}%` : '–');
    out.push(`### Memory: one worker runs ${fmtInt(m)} small tasks (RSS of the worker process after a full garbage collection; RSS held after a memory-reducing one, which also returns V8's young generation; JS heap in use)`, '',
      table(['database', 'system', `RSS after ${fmtInt(m / 10)}`, `after ${fmtInt(m / 2)}`, `after ${fmtInt(m)}`, 'RSS growth', `RSS held after ${fmtInt(m / 10)}`, `after ${fmtInt(m / 2)}`, `after ${fmtInt(m)}`, 'held growth', `heap after ${fmtInt(m / 10)}`, `after ${fmtInt(m)}`, 'heap growth', 'tasks/s'],
        rowsOf(per('memory'), (c) => [fmtMb(c.rss?.[0]), fmtMb(c.rss?.[1]), fmtMb(c.rss?.[2]), c.growth === undefined ? '–' : `${(c.growth * 100).toFixed(1)}%`, fmtMb(c.held?.[0]), fmtMb(c.held?.[1]), fmtMb(c.held?.[2]), c.heldGrowth === undefined ? '–' : `${(c.heldGrowth * 100).toFixed(1)}%`, fmtMb(c.heap?.[0]), fmtMb(c.heap?.[2]), pct(c.heap?.[0], c.heap?.[2]), fmtInt(c.tasksPerSec)])), '');
  }
  if (results.realistic) {
    out.push(`### Realistic: ${fmtInt(cfg.realisticN)} tasks that each insert one row (ours through the handler's \`ctx.em\`; peers through their own connection)`, '',
      table(['database', 'system', 'tasks/s', 'ours ÷ this', 'duplicates'],
        rowsOf(per('realistic'), (c, o) => [fmtInt(c.tasksPerSec), fmtRatio(o && !o.error ? o.tasksPerSec / c.tasksPerSec : undefined), fmtInt(c.duplicates)])), '');
  }
  return out.join('\n');
}

const get = (results, w, db, s) => {
  const c = results[w]?.[db]?.[s];
  return c && !c.error ? c : undefined;
};

/** The targets, checked against this run's medians. */
export function renderTargets(results) {
  const lines = [];
  const t = (label, value, ok) => lines.push(`| ${label} | ${value} | ${ok === undefined ? 'not measured' : ok ? 'met' : '**not met**'} |`);
  const ratio = (a, b) => (a && b ? a / b : undefined);
  const r = (w, db, s, f) => get(results, w, db, s)?.[f];
  let v = ratio(r('drain', 'sqlite', 'ours', 'tasksPerSec'), r('drain', 'sqlite', 'plainjob', 'tasksPerSec'));
  t('SQLite drain ≥ 3× plainjob', fmtRatio(v), v === undefined ? undefined : v >= 3);
  v = ratio(r('drain', 'sqlite', 'ours', 'tasksPerSec'), r('drain', 'sqlite', 'limit', 'tasksPerSec'));
  t('SQLite drain ≥ 0.5× raw-driver limit', fmtRatio(v), v === undefined ? undefined : v >= 0.5);
  v = ratio(r('drain', 'postgres', 'ours', 'tasksPerSec'), r('drain', 'postgres', 'graphile-worker', 'tasksPerSec'));
  t('PostgreSQL drain ≥ 1.5× graphile-worker (batching on)', fmtRatio(v), v === undefined ? undefined : v >= 1.5);
  v = ratio(r('drain', 'postgres', 'ours', 'tasksPerSec'), r('drain', 'postgres', 'pg-boss', 'tasksPerSec'));
  t('PostgreSQL drain ≥ 5× pg-boss', fmtRatio(v), v === undefined ? undefined : v >= 5);
  const po = r('latency', 'postgres', 'ours', 'p50');
  const pg = r('latency', 'postgres', 'graphile-worker', 'p50');
  t('PostgreSQL p50 latency ≤ graphile-worker', po === undefined || pg === undefined ? '–' : `${fmtMs(po)} vs ${fmtMs(pg)} ms`, po === undefined || pg === undefined ? undefined : po <= pg);
  const so = r('latency', 'sqlite', 'ours', 'p50');
  t('SQLite p50 latency < 5 ms', so === undefined ? '–' : `${fmtMs(so)} ms`, so === undefined ? undefined : so < 5);
  for (const db of ['sqlite', 'postgres']) {
    const bulk = ratio(r('drain', db, 'ours', 'enqueueRate'), r('drain', db, 'ours', 'singleRate'));
    // The raw driver's own bulk ÷ single in the same run: how far the database lets the ratio go.
    const floor = ratio(r('drain', db, 'limit', 'enqueueRate'), r('drain', db, 'limit', 'singleRate'));
    const value = floor === undefined ? fmtRatio(bulk) : `${fmtRatio(bulk)} (raw driver: ${fmtRatio(floor)})`;
    if (bulk !== undefined || db === 'sqlite') t(`${DB_LABEL[db]} enqueueMany ≥ 20× faster per task than single enqueues`, value, bulk === undefined ? undefined : bulk >= 20);
  }
  const eq = r('drain', 'sqlite', 'ours', 'enqueueRate');
  t('SQLite bulk enqueue ≥ 100,000 tasks/s', eq === undefined ? '–' : `${fmtInt(eq)}/s`, eq === undefined ? undefined : eq >= 100_000);
  for (const db of ['sqlite', 'postgres']) {
    for (const [system, label] of [['ours', ', prefetch 500'], ['ours-p0', ', prefetch 0 (default)'], ['ours-young2', ', prefetch 500, node --max-semi-space-size=2']]) {
      for (const [key, what] of [['growth', 'RSS'], ['heldGrowth', 'RSS held']]) {
        const g = r('memory', db, system, key);
        if (g !== undefined || (db === 'sqlite' && system === 'ours')) t(`Memory: ${what} growth ${DB_LABEL[db]}${label} (first mark → last) < 10%`, g === undefined ? '–' : `${(g * 100).toFixed(1)}%`, g === undefined ? undefined : g < 0.1);
      }
    }
  }
  for (const [system, label] of [['ours', ''], ['ours-p0', ', prefetch 0']]) {
    const s = get(results, 'scaling', 'postgres', system);
    if (s || system === 'ours') t(`PostgreSQL scaling${label}: 2 and 4 processes faster than 1, 0 duplicates`, s ? `${fmtRatio(s.p2 / s.p1)}, ${fmtRatio(s.p4 / s.p1)}; duplicates ${s.dup1}/${s.dup2}/${s.dup4}` : '–', s ? s.p2 > s.p1 && s.p4 > s.p1 && s.dup1 + s.dup2 + s.dup4 === 0 : undefined);
  }
  return ['| target | this run | status |', '| --- | ---: | --- |', ...lines].join('\n');
}
