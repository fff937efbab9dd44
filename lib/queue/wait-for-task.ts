import type { Dialect } from '../dialects/dialect.js';
import type { TaskRow } from '../dialects/task-row.js';
import { TaskNotFoundError } from '../errors/task-not-found.error.js';
import { WaitTimeoutError } from '../errors/wait-timeout.error.js';
import type { TaskEvents } from '../events/task-events.js';

interface WaitDeps {
  dialect: Dialect;
  events: TaskEvents;
  isFinished(status: string): boolean;
  /** Delay before re-reading a row not yet finished: long when this process runs it (an event will come). */
  pollMs(row: TaskRow): number;
}

/**
 * Resolves with the row once it is finished. Any event of the task from this process's runner
 * (or `cancel()`) triggers an immediate read; otherwise the row is re-read at a bounded pace, which
 * covers tasks run by other processes. On timeout the row is read once more, so the error names
 * its current status. Clears every timer and listener when it settles.
 */
export function waitForTask(taskId: number, timeoutMs: number, deps: WaitDeps): Promise<TaskRow> {
  return new Promise<TaskRow>((resolve, reject) => {
    let settled = false;
    let pollTimer: NodeJS.Timeout | undefined;
    let lastStatus: string | undefined;
    let timedOut = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(pollTimer);
      clearTimeout(timeoutTimer);
      fn();
    };
    const check = async () => {
      clearTimeout(pollTimer);
      try {
        const row = await deps.dialect.getRow(taskId);
        if (!row) return settle(() => reject(new TaskNotFoundError(taskId)));
        lastStatus = row.status;
        if (deps.isFinished(row.status)) return settle(() => resolve(row));
        if (!settled && !timedOut) {
          clearTimeout(pollTimer);
          pollTimer = setTimeout(() => void check(), deps.pollMs(row));
        }
      } catch (error) {
        settle(() => reject(error));
      }
    };
    // Every event of the task, not only final ones: the pace of the next read depends on where
    // the task is, and after a `retrying` here its next attempt may run in another process,
    // which this one would otherwise not look at again for a whole lease.
    const unsubscribe = deps.events.subscribe((event) => {
      if (event.task.id === taskId) void check();
    });
    // The last poll may be long past (a task run here is re-read once per lease), so the error
    // names the status as it is now; a task found finished by that read is resolved instead.
    const giveUp = async () => {
      timedOut = true;
      clearTimeout(pollTimer);
      try {
        const row = await deps.dialect.getRow(taskId);
        if (!row) return settle(() => reject(new TaskNotFoundError(taskId)));
        if (deps.isFinished(row.status)) return settle(() => resolve(row));
        settle(() => reject(new WaitTimeoutError(taskId, timeoutMs, row.status)));
      } catch {
        settle(() => reject(new WaitTimeoutError(taskId, timeoutMs, lastStatus)));
      }
    };
    const timeoutTimer = setTimeout(() => void giveUp(), timeoutMs);
    void check();
  });
}
