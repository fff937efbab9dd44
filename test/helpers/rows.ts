import type { MikroORM } from '@mikro-orm/core';
import { Task, TaskStatus } from '../../lib/index.js';
import type { DbKind } from './databases.js';

/** Number of task rows in the database (through a fresh fork, so nothing is cached). */
export function countTasks(orm: MikroORM): Promise<number> {
  return orm.em.fork().count(Task, {});
}

/** Task rows by status, every status present (0 when none). */
export async function countByStatus(orm: MikroORM): Promise<Record<TaskStatus, number>> {
  const out = Object.fromEntries(Object.values(TaskStatus).map((s) => [s, 0])) as Record<TaskStatus, number>;
  const tasks = await orm.em.fork().find(Task, {}, { fields: ['status'] as never });
  for (const t of tasks) out[t.status]++;
  return out;
}

/** Makes a task's lease look expired a minute ago, as after a stall, so the sweep takes it back. */
export async function expireLease(orm: MikroORM, kind: DbKind, id: number): Promise<void> {
  const past = kind === 'postgres' ? "now() - interval '1 minute'" : kind === 'mariadb' ? 'utc_timestamp(3) - interval 1 minute' : String(Date.now() - 60_000);
  await orm.em.fork().getConnection().execute(`update async_runner_task set locked_until = ${past} where id = ${id}`);
}
