import { ID_LIST, idList } from './id-list.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { Finished, Outcome } from '../task-row.js';
import { byAttempt, isPlain, statementCount } from '../by-attempt.js';

const FENCE = "locked_by = ? AND status = 'running' AND attempts = ?";
const RELEASE = 'locked_by = NULL, locked_until = NULL';
const CANCELLED = 'cancel_requested = 1';

/**
 * Writes a batch of attempt outcomes in one transaction. Successes without a result share
 * one statement per attempt number; each write applies only while this worker still holds
 * the lease of that attempt.
 */
export async function finishTasks(exec: SqlExecutor, t: Tables, workerId: string, outcomes: readonly Outcome[]): Promise<Finished> {
  const write = async (ctx?: SqlContext): Promise<Finished> => {
    const now = Date.now();
    const done: Finished = { applied: [], cancelled: [] };
    const ids = async (sql: string, params: unknown[]) => {
      for (const r of await exec.all<{ id: number; status?: string }>(sql, params, ctx)) {
        done.applied.push(Number(r.id));
        if (r.status === 'cancelled') done.cancelled.push(Number(r.id));
      }
    };
    for (const [attempt, plain] of byAttempt(outcomes.filter(isPlain))) {
      for (const chunk of chunks(plain, 500)) {
        await ids(`UPDATE ${t.task} SET status = 'succeeded', finished_at = ?, unique_key = NULL, ${RELEASE} WHERE ${FENCE} AND id IN (${ID_LIST}) RETURNING id`, [now, workerId, attempt, idList(chunk)]);
      }
    }
    for (const o of outcomes) {
      switch (o.kind) {
        case 'succeeded':
          if (o.result !== null) await ids(`UPDATE ${t.task} SET status = 'succeeded', result = ?, finished_at = ?, unique_key = NULL, ${RELEASE} WHERE ${FENCE} AND id = ? RETURNING id`, [o.result, now, workerId, o.attempt, o.id]);
          break;
        case 'retry':
          // A cancel requested (from any process) before this failure was noticed wins: the
          // task ends cancelled instead of being retried.
          await ids(
            `UPDATE ${t.task} SET status = CASE WHEN ${CANCELLED} THEN 'cancelled' ELSE 'pending' END, run_at = ?, last_error = ?, ` +
              `finished_at = CASE WHEN ${CANCELLED} THEN ? ELSE NULL END, unique_key = CASE WHEN ${CANCELLED} THEN NULL ELSE unique_key END, ` +
              // The runner reports what was stored, so it must learn which way the CASE went.
              `${RELEASE} WHERE ${FENCE} AND id = ? RETURNING id, status`,
            [now + o.delayMs, o.error, now, workerId, o.attempt, o.id],
          );
          break;
        case 'failed':
        case 'cancelled':
          await ids(`UPDATE ${t.task} SET status = ?, last_error = ?, finished_at = ?, unique_key = NULL, ${RELEASE} WHERE ${FENCE} AND id = ? RETURNING id`, [o.kind, o.error, now, workerId, o.attempt, o.id]);
          break;
      }
    }
    return done;
  };
  // One statement is atomic by itself; a transaction only pays when there are several.
  return statementCount(outcomes, 500) > 1 ? exec.transaction(write) : write();
}
