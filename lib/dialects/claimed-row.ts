import type { ClaimedTask } from './task-row.js';

/** Columns every dialect's claim reads back. */
export const CLAIMED_COLUMNS = 'id, queue, name, payload, attempts, max_attempts, timeout_ms';

/** A claimed row as the drivers return it (PostgreSQL and MySQL give bigint ids as strings). */
export interface ClaimedRow {
  id: string | number;
  queue: string;
  name: string;
  payload: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
}

/** Claimed rows in id order, as the runner launches them. */
export function toClaimedTasks(rows: readonly ClaimedRow[]): ClaimedTask[] {
  return rows
    .map((r) => ({ id: Number(r.id), queue: r.queue, name: r.name, payload: r.payload, attempts: Number(r.attempts), maxAttempts: Number(r.max_attempts), timeoutMs: r.timeout_ms == null ? null : Number(r.timeout_ms) }))
    .sort((a, b) => a.id - b.id);
}
