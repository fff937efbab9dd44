import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';

export async function setProgress(exec: SqlExecutor, t: Tables, workerId: string, id: number, progress: string): Promise<void> {
  await exec.run(`UPDATE ${t.task} SET progress = $1 WHERE id = $2 AND locked_by = $3 AND status = 'running'`, [progress, id, workerId]);
}
