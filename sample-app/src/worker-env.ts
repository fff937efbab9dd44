import type { Options } from '@mikro-orm/core';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { AsyncRunnerOptions } from 'nest-async-runner';

const DRIVERS = { sqlite: SqliteDriver, postgres: PostgreSqlDriver, mysql: MySqlDriver, mariadb: MariaDbDriver } as const;

/** What a worker process serves, read from its environment. */
export interface WorkerConfig {
  orm: Partial<Options>;
  runner: AsyncRunnerOptions;
  /** Create or update the tables before starting (DB_SCHEMA=update). */
  updateSchema: boolean;
  /** MySQL and MariaDB have no partial indexes (see asyncRunnerEntities). */
  partialIndexes: boolean;
}

function int(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${key} must be an integer, got "${raw}"`);
  return n;
}

/**
 * Worker settings from the environment:
 * - `DB_KIND`: sqlite (default), postgres, mysql or mariadb
 * - `DATABASE_URL` (e.g. postgresql://user@host:5432/app) or `DB_NAME` (database name, or the SQLite file)
 * - `QUEUES`: comma-separated queues to serve (default: `default`)
 * - `CONCURRENCY`: handlers at once (default 10); `PREFETCH`: tasks claimed ahead per queue (default 0)
 * - `LEASE_MS`, `SWEEP_INTERVAL_MS`, `POLL_INTERVAL_MS`, `SHUTDOWN_TIMEOUT_MS`: runner options
 * - `DB_SCHEMA=update`: create/update the tables first (run it in one process, not all at once)
 */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const kind = (env.DB_KIND ?? 'sqlite') as keyof typeof DRIVERS;
  const driver = DRIVERS[kind];
  if (!driver) throw new Error(`DB_KIND must be one of ${Object.keys(DRIVERS).join(', ')}, got "${env.DB_KIND}"`);
  if (!env.DATABASE_URL && !env.DB_NAME && kind !== 'sqlite') throw new Error(`DB_KIND=${kind} needs DATABASE_URL or DB_NAME`);
  const orm: Partial<Options> = { driver, ...(env.DATABASE_URL ? { clientUrl: env.DATABASE_URL } : { dbName: env.DB_NAME ?? 'sample-app/data/worker.sqlite' }) } as Partial<Options>;
  const runner: AsyncRunnerOptions = {};
  if (env.QUEUES) runner.queues = env.QUEUES.split(',').map((q) => q.trim()).filter(Boolean);
  const set = (key: keyof AsyncRunnerOptions, envKey: string) => {
    const v = int(env, envKey);
    if (v !== undefined) (runner as Record<string, unknown>)[key] = v;
  };
  set('concurrency', 'CONCURRENCY');
  set('prefetch', 'PREFETCH');
  set('leaseMs', 'LEASE_MS');
  set('sweepIntervalMs', 'SWEEP_INTERVAL_MS');
  set('pollIntervalMs', 'POLL_INTERVAL_MS');
  set('shutdownTimeoutMs', 'SHUTDOWN_TIMEOUT_MS');
  return { orm, runner, updateSchema: env.DB_SCHEMA === 'update', partialIndexes: kind !== 'mysql' && kind !== 'mariadb' };
}
