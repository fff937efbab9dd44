import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { PG, REDIS } from './fresh-db.mjs';

const require = createRequire(import.meta.url);

async function pgVersion() {
  try {
    const { default: pg } = await import('pg');
    const c = new pg.Client(PG);
    await c.connect();
    const { rows } = await c.query('show server_version');
    await c.end();
    return rows[0].server_version;
  } catch {
    return 'unreachable';
  }
}

async function redisVersion() {
  try {
    const { Redis } = await import('ioredis');
    const r = new Redis({ ...REDIS, maxRetriesPerRequest: 1, lazyConnect: true });
    await r.connect();
    const info = await r.info('server');
    r.disconnect();
    return /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  } catch {
    return 'unreachable';
  }
}

function sqliteVersion() {
  const Database = require('better-sqlite3');
  const db = new Database(':memory:');
  const v = db.prepare('select sqlite_version() as v').get().v;
  db.close();
  return v;
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '?';
  }
}

/** Facts needed to read the numbers: hardware, runtime, database and library versions. */
export async function machineFacts() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? '?'} × ${cpus.length}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    sqlite: sqliteVersion(),
    postgres: await pgVersion(),
    redis: await redisVersion(),
    libraries: ['plainjob', 'liteque', 'graphile-worker', 'pg-boss', 'bullmq', 'better-sqlite3', 'pg'].map((p) => `${p} ${versionOf(p)}`).join(', '),
  };
}
