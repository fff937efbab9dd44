import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, marks, type Tables } from '../tables.js';
import type { Finished, Outcome } from '../task-row.js';
import { NOW, NOW_PLUS } from './clock.js';
import { byAttempt, isPlain } from '../by-attempt.js';

const FENCE = "locked_by = ? AND status = 'running' AND attempts = ?";
const RELEASE = 'locked_by = NULL, locked_until = NULL';

/**
 * Writes a batch of attempt outcomes in one transaction; each write applies only while this
 * worker still holds the lease of that attempt. Without UPDATE … RETURNING, a single-row write tells by its
 * affected-row count, and the shared success statement first locks the rows it may write.
 */
export async function finishTasks(exec: SqlExecutor, t: Tables, workerId: string, outcomes: readonly Outcome[]): Promise<Finished> {
  const write = async (ctx?: SqlContext): Promise<Finished> => {
    const done: Finished = { applied: [], cancelled: [] };
    const applied = done.applied;
    const one = async (o: Outcome, set: string, params: unknown[], also = '') => {
      const res = await exec.run(`UPDATE ${t.task} SET ${set}, ${RELEASE} WHERE ${FENCE}${also} AND id = ?`, [...params, workerId, o.attempt, o.id], ctx);
      if (res.affected > 0) applied.push(o.id);
      return res.affected > 0;
    };
    const plainOutcomes = outcomes.filter(isPlain);
    const succeed = `status = 'succeeded', finished_at = ${NOW}, unique_key = NULL`;
    if (plainOutcomes.length === 1) await one(plainOutcomes[0]!, succeed, []);
    else for (const [attempt, plain] of byAttempt(plainOutcomes)) {
      for (const chunk of chunks(plain, 1000)) {
        const held = await exec.all<{ id: string | number }>(`SELECT id FROM ${t.task} WHERE ${FENCE} AND id IN (${marks(chunk.length)}) FOR UPDATE`, [workerId, attempt, ...chunk], ctx);
        const ids = held.map((r) => Number(r.id));
        if (ids.length === 0) continue;
        await exec.run(`UPDATE ${t.task} SET ${succeed}, ${RELEASE} WHERE id IN (${marks(ids.length)})`, ids, ctx);
        applied.push(...ids);
      }
    }
    for (const o of outcomes) {
      switch (o.kind) {
        case 'succeeded':
          if (o.result !== null) await one(o, `status = 'succeeded', result = ?, finished_at = ${NOW}, unique_key = NULL`, [o.result]);
          break;
        case 'retry':
          // A cancel requested before this failure was noticed wins (cancelled, not retried).
          // Without RETURNING, the runner learns which status was stored from which of two
          // fenced writes applies; a running row's cancel flag is never cleared, so if the
          // first misses for it, the second sees it. The second runs only then (or when the
          // lease is lost).
          if (await one(o, `run_at = ${NOW_PLUS}, last_error = ?, finished_at = NULL, status = 'pending'`, [o.delayMs * 1000, o.error], ' AND cancel_requested = 0')) break;
          if (await one(o, `run_at = ${NOW_PLUS}, last_error = ?, finished_at = ${NOW}, unique_key = NULL, status = 'cancelled'`, [o.delayMs * 1000, o.error], ' AND cancel_requested = 1')) {
            done.cancelled.push(o.id);
          }
          break;
        case 'failed':
        case 'cancelled':
          await one(o, `status = ?, last_error = ?, finished_at = ${NOW}, unique_key = NULL`, [o.kind, o.error]);
          break;
      }
    }
    return done;
  };
  return outcomes.length > 1 ? exec.transaction(write) : write();
}
