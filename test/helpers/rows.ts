import type { MikroORM } from '@mikro-orm/core';
import { Task, TaskStatus } from '../../lib/index.js';

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
