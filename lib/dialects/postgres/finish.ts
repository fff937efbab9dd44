import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { Finished, Outcome } from '../task-row.js';
import { nowPlusMs, PgParams } from './params.js';
import { byAttempt, isPlain, statementCount } from '../by-attempt.js';

const RELEASE = 'locked_by = NULL, locked_until = NULL';
const fence = (p: PgParams, workerId: string, attempt: number) => `locked_by = ${p.add(workerId)} AND status = 'running' AND attempts = ${p.add(attempt, 'int')}`;

/**
 * Writes a batch of attempt outcomes in one transaction; each write applies only while this
 * worker still holds the lease of that attempt. Successes without a result share one
 * statement per attempt number.
 */
export async function finishTasks(exec: SqlExecutor, t: Tables, workerId: string, outcomes: readonly Outcome[]): Promise<Finished> {
  const write = async (ctx?: SqlContext): Promise<Finished> => {
    const done: Finished = { applied: [], cancelled: [] };
    const run = async (sql: string, p: PgParams, returning = 'id') => {
      const rows = await exec.all<{ id: string | number; status?: string }>(`${sql} RETURNING ${returning}`, p.values, ctx);
      for (const r of rows) {
        done.applied.push(Number(r.id));
        if (r.status === 'cancelled') done.cancelled.push(Number(r.id));
      }
    };
    // Ids in ascending order (byAttempt sorts them) keep lock order stable against the sweep.
    for (const [attempt, plain] of byAttempt(outcomes.filter(isPlain))) {
      for (const chunk of chunks(plain, 1000)) {
        const p = new PgParams();
        await run(`UPDATE ${t.task} SET status = 'succeeded', finished_at = now(), unique_key = NULL, ${RELEASE} WHERE ${fence(p, workerId, attempt)} AND id = ANY(${p.add(chunk, 'bigint[]')})`, p);
      }
    }
    for (const o of outcomes) {
      const p = new PgParams();
      switch (o.kind) {
        case 'succeeded':
          if (o.result !== null) {
            await run(`UPDATE ${t.task} SET status = 'succeeded', result = ${p.add(o.result)}, finished_at = now(), unique_key = NULL, ${RELEASE} WHERE ${fence(p, workerId, o.attempt)} AND id = ${p.add(o.id)}`, p);
          }
          break;
        case 'retry':
          // A cancel requested (from any process) before this failure was noticed wins: the
          // task ends cancelled instead of being retried.
          await run(
            `UPDATE ${t.task} SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'pending' END, run_at = ${nowPlusMs(p, o.delayMs)}, ` +
              `last_error = ${p.add(o.error)}, finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END, ` +
              `unique_key = CASE WHEN cancel_requested THEN NULL ELSE unique_key END, ${RELEASE} WHERE ${fence(p, workerId, o.attempt)} AND id = ${p.add(o.id)}`,
            p,
            // The runner reports what was stored, so it must learn which way the CASE went.
            'id, status',
          );
          break;
        case 'failed':
        case 'cancelled':
          await run(`UPDATE ${t.task} SET status = ${p.add(o.kind)}, last_error = ${p.add(o.error)}, finished_at = now(), unique_key = NULL, ${RELEASE} WHERE ${fence(p, workerId, o.attempt)} AND id = ${p.add(o.id)}`, p);
          break;
      }
    }
    return done;
  };
  // One statement is atomic by itself; a transaction (three more round trips) only pays when there are several.
  return statementCount(outcomes, 1000) > 1 ? exec.transaction(write) : write();
}
