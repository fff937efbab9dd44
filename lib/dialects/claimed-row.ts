import { toDate } from './row-values.js';
import type { ClaimedTask } from './task-row.js';

/** Columns every dialect's claim reads back. */
export const CLAIMED_COLUMNS = 'id, queue, name, payload, priority, run_at, attempts, max_attempts, timeout_ms';

/** A claimed row as the drivers return it (PostgreSQL and MySQL give bigint ids as strings). */
export interface ClaimedRow {
  id: string | number;
  queue: string;
  name: string;
  payload: string | null;
  priority: number | string;
  run_at: unknown;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
}

/**
 * Claimed rows in the claim's order (priority, then due time, then id): UPDATE … RETURNING
 * does not keep the inner ORDER BY, and tasks claimed ahead start in this order.
 */
export function toClaimedTasks(rows: readonly ClaimedRow[]): ClaimedTask[] {
  return rows
    .map((r) => ({
      task: { id: Number(r.id), queue: r.queue, name: r.name, payload: r.payload, attempts: Number(r.attempts), maxAttempts: Number(r.max_attempts), timeoutMs: r.timeout_ms == null ? null : Number(r.timeout_ms) },
      priority: Number(r.priority),
      due: toDate(r.run_at)!.getTime(),
    }))
    .sort((a, b) => b.priority - a.priority || a.due - b.due || a.task.id - b.task.id)
    .map((x) => x.task);
}
