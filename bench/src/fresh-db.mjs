import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '', database: 'postgres' };
export const REDIS = { host: '127.0.0.1', port: 6379 };

async function admin(sql) {
  const client = new pg.Client(PG);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** True when the PostgreSQL server answers. */
export async function postgresReachable() {
  try {
    await admin('select 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * A new, empty database for one run: a new SQLite file, a new PostgreSQL database, or a new
 * key prefix on Redis. `drop()` removes it.
 */
export async function freshDatabase(kind) {
  const name = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = join(tmpdir(), 'nest-async-runner-bench');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.sqlite`);
    return {
      kind,
      location: file,
      drop: async () => {
        for (const s of ['', '-wal', '-shm', '-journal']) rmSync(file + s, { force: true });
      },
    };
  }
  if (kind === 'postgres') {
    // Identifiers cannot be bound; the name is generated above from [a-z0-9_] only.
    await admin(`create database "${name}"`);
    return {
      kind,
      location: `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`,
      drop: () => admin(`drop database if exists "${name}" with (force)`).then(() => undefined),
    };
  }
  if (kind === 'redis') {
    return {
      kind,
      location: name,
      drop: async () => {
        const { Redis } = await import('ioredis');
        const redis = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
        try {
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length) await redis.del(...keys);
          } while (cursor !== '0');
        } finally {
          redis.disconnect();
        }
      },
    };
  }
  throw new Error(`Unknown database kind ${kind}`);
}
