import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, marks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';
import { NOW, NOW_PLUS, utcText } from './clock.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
const PER_STATEMENT = 1000;

/** How ids come back from an INSERT on this server. */
export interface InsertIds {
  /** MariaDB 10.5+: INSERT … RETURNING. */
  returning: boolean;
  /** MySQL without RETURNING: a multi-row insert's ids are insertId + i × step (lock mode 0/1). */
  consecutive: boolean;
  step: number;
}

function rowSql(task: NewTask, params: unknown[]): string {
  params.push(task.queue, task.name, task.payload, task.priority);
  let runAt: string;
  if (task.runAt) {
    runAt = '?';
    params.push(utcText(task.runAt));
  } else {
    runAt = NOW_PLUS;
    params.push(task.delayMs * 1000);
  }
  params.push(task.maxAttempts, task.timeoutMs, task.uniqueKey);
  return `(?, ?, ?, 'pending', ?, ${runAt}, 0, ?, ?, ?, 0, ${NOW})`;
}

/**
 * Tasks without a unique key go in multi-row INSERTs (ids from RETURNING on MariaDB, or from
 * insertId where the server hands out consecutive ids). Each task with a unique key is its own
 * statement: ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id) makes insertId the open task's
 * id when the key is taken, so the unique index decides between concurrent enqueues. The
 * read-back is by id, not key: an open task that finishes meanwhile (releasing its key) is
 * still found, and answers the item, as it held the key when the INSERT ran; in a transaction
 * the upsert also locks it until commit. So unlike PostgreSQL and SQLite, nothing is inserted
 * again here; only a row deleted in between (retention) is missing.
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, ids: InsertIds, tasks: readonly NewTask[], ctx?: SqlContext): Promise<TaskRow[]> {
  const idOf = new Map<NewTask, number>();
  const plain = tasks.filter((task) => task.uniqueKey == null);
  const multi = ids.returning || ids.consecutive;
  for (const chunk of chunks(plain, multi ? PER_STATEMENT : 1)) {
    const params: unknown[] = [];
    const values = chunk.map((task) => rowSql(task, params)).join(', ');
    const sql = `INSERT INTO ${t.task} (${COLUMNS}) VALUES ${values}`;
    if (ids.returning) {
      const rows = await exec.all<{ id: string | number }>(`${sql} RETURNING id`, params, ctx);
      const sorted = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      chunk.forEach((task, i) => idOf.set(task, sorted[i]!));
    } else {
      const res = await exec.run(sql, params, ctx);
      chunk.forEach((task, i) => idOf.set(task, res.insertId! + i * ids.step));
    }
  }
  for (const task of tasks) {
    if (task.uniqueKey == null) continue;
    const params: unknown[] = [];
    const res = await exec.run(`INSERT INTO ${t.task} (${COLUMNS}) VALUES ${rowSql(task, params)} ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`, params, ctx);
    idOf.set(task, res.insertId!);
  }
  const byId = new Map<number, TaskRow>();
  const all = [...new Set(idOf.values())];
  for (const chunk of chunks(all, 1000)) {
    const rows = await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id IN (${marks(chunk.length)})`, chunk, ctx);
    for (const r of rows) byId.set(Number(r.id), r);
  }
  return tasks.map((task) => {
    const row = byId.get(idOf.get(task)!);
    if (!row) throw new Error(`Task with unique key ${task.uniqueKey} finished while being enqueued; enqueue it again.`);
    return row;
  });
}
