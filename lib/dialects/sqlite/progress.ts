import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';

export async function setProgress(exec: SqlExecutor, t: Tables, workerId: string, id: number, progress: string, ctx?: SqlContext): Promise<void> {
  await exec.run(`UPDATE ${t.task} SET progress = ? WHERE id = ? AND locked_by = ? AND status = 'running'`, [progress, id, workerId], ctx);
}
