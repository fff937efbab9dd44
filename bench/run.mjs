// Entry of `npm run bench`: runs the workloads on every selected system, interleaved and
// repeated, each run in fresh processes on a fresh database; prints and writes the tables.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SYSTEMS } from './adapters/index.mjs';
import { readArgs } from './src/args.mjs';
import { postgresReachable } from './src/fresh-db.mjs';
import { machineFacts } from './src/machine.mjs';
import { aggregate, renderTables, renderTargets } from './src/report.mjs';
import { WORKLOADS } from './src/workloads.mjs';

const cfg = readArgs(process.argv.slice(2));
const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const notes = [];

if (cfg.dbs.includes('postgres') && !(await postgresReachable())) {
  cfg.dbs = cfg.dbs.filter((d) => d !== 'postgres');
  notes.push('PostgreSQL was not reachable on 127.0.0.1:5432; its rows were skipped.');
}

/** [workload, db, system] cells this run covers. */
function plan() {
  const cells = [];
  for (const w of cfg.workloads) {
    const def = WORKLOADS[w];
    const dbs = [...cfg.dbs, ...(cfg.systems.includes('bullmq') && !def.sqlOnly ? ['redis'] : [])];
    for (const db of dbs) {
      if (def.postgresOnly && db === 'sqlite') continue;
      if (def.postgresOnly && db === 'redis' && !cfg.dbs.includes('postgres')) continue;
      const systems = (w === 'memory' ? cfg.memorySystems : cfg.systems).filter((s) => SYSTEMS[s].dbs.includes(db) && (!SYSTEMS[s].workloads || SYSTEMS[s].workloads.includes(w)));
      for (const s of systems) cells.push({ w, db, s });
    }
  }
  return cells;
}

const cells = plan();
const runs = new Map(cells.map((c) => [`${c.w}/${c.db}/${c.s}`, []]));
const started = Date.now();
for (let rep = 0; rep < cfg.repeat; rep++) {
  for (const w of cfg.workloads) {
    // Memory is about growth, not speed: one repetition is enough and it is the longest run.
    if (w === 'memory' && rep > 0) continue;
    const mine = cells.filter((c) => c.w === w);
    // Rotate the order each repetition so no system always runs first (or last) on a warm disk.
    const order = mine.map((_, i) => mine[(i + rep) % mine.length]);
    for (const c of order) {
      const t0 = Date.now();
      let r;
      try {
        r = await WORKLOADS[w].run(c.s, c.db, cfg);
      } catch (error) {
        r = { error: String(error?.message ?? error) };
      }
      runs.get(`${c.w}/${c.db}/${c.s}`).push(r);
      log(`[${Math.round((Date.now() - started) / 1000)}s] rep ${rep + 1}/${cfg.repeat} ${w} ${c.db} ${c.s}: ${r.error ? `ERROR ${r.error}` : JSON.stringify(r, (k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))} (${Date.now() - t0} ms)`);
    }
  }
}

const results = {};
for (const c of cells) {
  results[c.w] ??= {};
  results[c.w][c.db] ??= {};
  results[c.w][c.db][c.s] = aggregate(runs.get(`${c.w}/${c.db}/${c.s}`));
}

for (const c of cells) {
  const r = results[c.w][c.db][c.s];
  const note = `${SYSTEMS[c.s].label} on ${c.db}: ${r.error}`;
  if (r.error && !notes.includes(note)) notes.push(note);
}

const facts = await machineFacts();
const tables = renderTables(results, cfg);
const targets = renderTargets(results);
const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
const doc = [
  '# Benchmark results',
  '',
  `Run ${when} UTC with \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` in ${Math.round((Date.now() - started) / 1000)} s. ` +
    `Medians of ${cfg.repeat} repetition(s) (memory: 1), systems interleaved; every run uses fresh processes and a fresh database.`,
  '',
  `- CPU: ${facts.cpu}; memory ${facts.memory}; ${facts.os}`,
  `- Node ${facts.node}; SQLite ${facts.sqlite}; PostgreSQL ${facts.postgres}; Redis ${facts.redis}`,
  `- Peers: ${facts.libraries}`,
  '',
  tables,
  '### Targets',
  '',
  targets,
  '',
  ...(notes.length ? ['### Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
].join('\n');

process.stdout.write(`${doc}\n`);
if (cfg.write) {
  const out = cfg.out ?? fileURLToPath(new URL(cfg.quick ? './RESULTS.quick.md' : './RESULTS.md', import.meta.url));
  writeFileSync(out, doc);
  log(`Written to ${out}`);
}
