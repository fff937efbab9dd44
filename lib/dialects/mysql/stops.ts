import type { SqlExecutor } from '../sql-executor.js';
import { marks, type Tables } from '../tables.js';
import type { StopRow } from '../task-row.js';
import { NOW } from './clock.js';

export async function latestStopId(exec: SqlExecutor, t: Tables): Promise<number> {
  const rows = await exec.all<{ id: string | number | null }>(`SELECT MAX(id) AS id FROM ${t.stop}`);
  return Number(rows[0]?.id ?? 0);
}

export async function insertStop(exec: SqlExecutor, t: Tables, scope: string, reason: string | null): Promise<number> {
  const res = await exec.run(`INSERT INTO ${t.stop} (scope, reason, created_at) VALUES (?, ?, ${NOW})`, [scope, reason]);
  return res.insertId!;
}

export async function findStop(exec: SqlExecutor, t: Tables, afterId: number, scopes: readonly string[]): Promise<StopRow | undefined> {
  const rows = await exec.all<StopRow>(`SELECT id, scope, reason FROM ${t.stop} WHERE id > ? AND scope IN (${marks(scopes.length)}) ORDER BY id LIMIT 1`, [afterId, ...scopes]);
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : undefined;
}
