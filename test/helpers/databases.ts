import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from '@mikro-orm/core';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MikroORM as MariaDbORM } from '@mikro-orm/mariadb';
import { PostgreSqlDriver, MikroORM as PgORM } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { asyncRunnerEntities } from '../../lib/index.js';

/** The databases the suite runs on. */
export type DbKind = 'sqlite' | 'postgres' | 'mariadb';

/** A fresh, empty database for one test: a new SQLite file or a new server database. */
export interface TestDatabase {
  kind: DbKind;
  /** MikroORM options (without entities) pointing at this database. */
  orm: Options;
  /** Environment a child worker process needs to reach the same database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' };
const MARIA = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

/** Driver options for a database kind and name; shared by tests and child worker scripts. */
export function ormOptions(kind: DbKind, dbName: string): Options {
  switch (kind) {
    case 'sqlite':
      return { driver: SqliteDriver, dbName } as unknown as Options;
    case 'postgres':
      return { driver: PostgreSqlDriver, dbName, ...PG } as unknown as Options;
    case 'mariadb':
      return { driver: MariaDbDriver, dbName, ...MARIA } as unknown as Options;
  }
}

/**
 * The runner's entity schemas as an app on `kind` registers them (MariaDB has no partial
 * indexes). `partialIndexes: false` on SQLite or PostgreSQL gives the tables an earlier version
 * created there: full indexes, without the MySQL/MariaDB collations those databases do not have.
 * `collation: null` gives MariaDB tables as an earlier version created them: every column on
 * the server's default, case-insensitive collation.
 */
export function runnerEntities(kind: DbKind, options: { partialIndexes?: boolean; collation?: string | null } = {}) {
  const partialIndexes = options.partialIndexes ?? kind !== 'mariadb';
  const entities = asyncRunnerEntities(typeof options.collation === 'string' ? { partialIndexes, collation: options.collation } : { partialIndexes });
  if ((!partialIndexes && kind !== 'mariadb') || options.collation === null) {
    for (const entity of entities) for (const prop of Object.values(entity.meta.properties)) delete (prop as { collation?: string }).collation;
  }
  return entities;
}

async function withAdmin(kind: 'postgres' | 'mariadb', fn: (exec: (sql: string) => Promise<void>) => Promise<void>): Promise<void> {
  const orm = kind === 'postgres'
    ? await PgORM.init({ dbName: 'test', ...PG, entities: [], discovery: { warnWhenNoEntities: false } } as never)
    : await MariaDbORM.init({ dbName: 'test', ...MARIA, entities: [], discovery: { warnWhenNoEntities: false } } as never);
  try {
    await fn(async (sql) => void (await orm.em.getConnection().execute(sql)));
  } finally {
    await orm.close(true);
  }
}

/** Creates a fresh database of `kind`. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const name = `nar_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = join(tmpdir(), 'nest-async-runner-tests');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.sqlite`);
    return {
      kind,
      orm: ormOptions(kind, file),
      env: { TEST_DB_KIND: kind, TEST_DB_NAME: file },
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  }
  await withAdmin(kind, (exec) => exec(kind === 'postgres' ? `create database "${name}"` : `create database \`${name}\``));
  return {
    kind,
    orm: ormOptions(kind, name),
    env: { TEST_DB_KIND: kind, TEST_DB_NAME: name },
    drop: () => withAdmin(kind, (exec) => exec(kind === 'postgres' ? `drop database if exists "${name}" with (force)` : `drop database if exists \`${name}\``)),
  };
}

/**
 * Databases this run covers. SQLite always; PostgreSQL and MariaDB when reachable, or always
 * when `REQUIRE_ALL_DATABASES=1` (CI), where an unreachable server fails the run instead of
 * skipping. `TEST_DB=sqlite,postgres` narrows the list.
 */
export async function availableDatabases(): Promise<{ kind: DbKind; skip: string | false }[]> {
  const wanted = (process.env.TEST_DB ?? 'sqlite,postgres,mariadb').split(',').map((s) => s.trim()) as DbKind[];
  const out: { kind: DbKind; skip: string | false }[] = [];
  for (const kind of wanted) {
    if (kind === 'sqlite') {
      out.push({ kind, skip: false });
      continue;
    }
    try {
      await withAdmin(kind as 'postgres' | 'mariadb', async (exec) => void (await exec('select 1')));
      out.push({ kind, skip: false });
    } catch (error) {
      if (process.env.REQUIRE_ALL_DATABASES === '1') throw new Error(`${kind} is required (REQUIRE_ALL_DATABASES=1) but unreachable: ${String(error)}`);
      out.push({ kind, skip: `${kind} server not reachable on 127.0.0.1 (${String(error).slice(0, 80)})` });
    }
  }
  return out;
}
