import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { HeldTask } from '../by-attempt.js';

export async function setProgress(exec: SqlExecutor, t: Tables, workerId: string, task: HeldTask, progress: string): Promise<void> {
  await exec.run(`UPDATE ${t.task} SET progress = ? WHERE id = ? AND locked_by = ? AND status = 'running' AND attempts = ?`, [progress, task.id, workerId, task.attempt]);
}
