import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { ClaimedTask } from '../dialects/task-row.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';

/**
 * Hands tasks claimed ahead back unstarted (on stop, after their lease lapsed, or on cancel),
 * and keeps the hand-backs under way so stop() can wait for them.
 */
export class HandBack {
  private readonly underWay = new Set<Promise<void>>();

  constructor(
    private readonly dialect: Dialect,
    private readonly workerId: string,
    private readonly logger: LoggerService,
    /** Reports a task a cancel ended before it started. */
    private readonly onCancelled: (task: ClaimedTask) => void,
  ) {}

  /**
   * Hands `tasks` back to the table: pending with their attempt returned, or cancelled when their
   * cancel was requested. If that fails, their leases expire and the sweep takes them back (with
   * the attempt spent).
   */
  release(tasks: ClaimedTask[], why: 'cancel' | 'stop'): Promise<void> {
    if (tasks.length === 0) return Promise.resolve();
    const done = (async () => {
      try {
        const released = await this.dialect.release(this.workerId, tasks.map((t) => ({ id: t.id, attempt: t.attempts })), new TaskCancelledError().message);
        // A cancel hands back one task: reported only if this worker still held it.
        if (why === 'cancel' && released === tasks.length) for (const task of tasks) this.onCancelled(task);
      } catch (error) {
        this.logger.warn(`Handing back ${tasks.length} task(s) claimed ahead failed; their leases will expire: ${String(error)}`);
      }
    })();
    this.underWay.add(done);
    void done.finally(() => this.underWay.delete(done));
    return done;
  }

  /** Settles when every hand-back under way has. */
  settled(): Promise<unknown> {
    return Promise.all(this.underWay);
  }
}
