import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { HeldTask } from '../by-attempt.js';

export async function setProgress(exec: SqlExecutor, t: Tables, workerId: string, task: HeldTask, progress: string): Promise<void> {
  await exec.run(`UPDATE ${t.task} SET progress = $1 WHERE id = $2 AND locked_by = $3 AND status = 'running' AND attempts = $4`, [progress, task.id, workerId, task.attempt]);
}
