import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';

/**
 * Takes back, on a jittered timer, running tasks whose worker stopped renewing their lease
 * (any runner may do it; the statement skips rows being written right now). `onReclaimed`
 * lets the runner claim them at once.
 */
export class LeaseSweeper {
  private timer: NodeJS.Timeout | undefined;
  private active = false;

  constructor(
    private readonly dialect: Dialect,
    private readonly intervalMs: number,
    private readonly logger: LoggerService,
    private readonly onReclaimed: () => void,
  ) {}

  start(): void {
    this.active = true;
    this.schedule();
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    const jittered = this.intervalMs * (0.8 + 0.4 * Math.random());
    const timer: NodeJS.Timeout = setTimeout(async () => {
      try {
        const n = await this.dialect.reclaimExpired();
        if (n > 0) {
          this.logger.warn(`Took back ${n} task(s) whose worker stopped renewing its lease.`);
          this.onReclaimed();
        }
      } catch (error) {
        this.logger.warn(`Sweeping expired leases failed: ${String(error)}`);
      }
      // Only the current chain goes on: after a stop and a quick restart during this sweep,
      // the restart already armed its own timer, and a second one here could never be cleared.
      if (this.active && this.timer === timer) this.schedule();
    }, jittered);
    this.timer = timer;
  }
}
