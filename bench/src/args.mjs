import { parseArgs } from 'node:util';

export const ALL_SYSTEMS = ['ours', 'ours-p0', 'ours-young2', 'limit', 'plainjob', 'liteque', 'graphile-worker', 'pg-boss', 'bullmq'];
export const ALL_WORKLOADS = ['drain', 'latency', 'scaling', 'memory', 'realistic'];

const HELP = `Usage: npm run bench -- [options]

  --db <list>         sqlite,postgres (default: both; postgres is skipped when unreachable)
  --systems <list>    ${ALL_SYSTEMS.join(',')} (default: all that fit the database)
  --workloads <list>  ${ALL_WORKLOADS.join(',')} (default: all)
  --n <num>           tasks for drain and scaling (default 50000; quick 5000)
  --memory-n <num>    tasks for the memory run (default 500000; quick 20000)
  --memory-systems <list>  systems the memory run covers (default ours,ours-p0)
  --realistic-n <num> tasks for the realistic run (default 20000; quick 2000)
  --latency-n <num>   tasks for the latency run (default 500; quick 100)
  --spacing <ms>      gap between latency enqueues (default 20; quick 10)
  --concurrency <n>   handler slots per worker process, same for every system (default 10)
  --repeat <n>        repetitions per cell, median reported (default 3)
  --quick             small sizes, under two minutes (CI smoke run; never asserts times)
  --no-write          print the table only, leave RESULTS.md alone
  --out <file>        where to write the results (default bench/RESULTS.md; bench/RESULTS.quick.md with --quick)
`;

/** Parses the command line into a run plan's settings. */
export function readArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      systems: { type: 'string' },
      workloads: { type: 'string' },
      n: { type: 'string' },
      'memory-n': { type: 'string' },
      'memory-systems': { type: 'string' },
      'realistic-n': { type: 'string' },
      'latency-n': { type: 'string' },
      spacing: { type: 'string' },
      concurrency: { type: 'string' },
      repeat: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const int = (name, fallback) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${raw}).`);
    return n;
  };
  const list = (name, all, fallback) => {
    if (values[name] === undefined) return fallback;
    const items = values[name].split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((i) => !all.includes(i));
    if (bad.length) throw new Error(`--${name}: unknown ${bad.join(', ')} (choose from ${all.join(', ')}).`);
    return items;
  };
  return {
    quick,
    dbs: list('db', ['sqlite', 'postgres'], ['sqlite', 'postgres']),
    systems: list('systems', ALL_SYSTEMS, ALL_SYSTEMS),
    workloads: list('workloads', ALL_WORKLOADS, ALL_WORKLOADS),
    n: int('n', quick ? 5000 : 50_000),
    memorySystems: list('memory-systems', ALL_SYSTEMS, ['ours', 'ours-p0']),
    memoryN: int('memory-n', quick ? 20_000 : 500_000),
    realisticN: int('realistic-n', quick ? 2000 : 20_000),
    latencyN: int('latency-n', quick ? 100 : 500),
    spacingMs: int('spacing', quick ? 10 : 20),
    concurrency: int('concurrency', 10),
    repeat: int('repeat', quick ? 1 : 3),
    write: !values['no-write'],
    out: values.out,
  };
}
