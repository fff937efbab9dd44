import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { FinishedStatus } from '../dialects/task-row.js';
import type { ResolvedRetention } from '../options/retention-options.js';

/** Rows deleted by one pruning pass, per status. */
export type PruneCounts = Record<FinishedStatus, number>;

/**
 * Deletes finished tasks past their status's retention age, one bounded batch per statement,
 * on a jittered timer while the runner is started. Several instances pruning at once only
 * split the work: each delete re-checks status and age.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<PruneCounts> | null = null;

  constructor(
    private readonly dialect: Dialect,
    private readonly retention: ResolvedRetention,
    private readonly logger: LoggerService,
  ) {}

  get enabled(): boolean {
    const r = this.retention;
    return r.succeededAfterMs !== null || r.failedAfterMs !== null || r.cancelledAfterMs !== null;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.schedule();
  }

  /** Clears the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass?.catch(() => undefined);
  }

  /** One pass over every status with an age; concurrent calls share the pass under way. */
  prune(): Promise<PruneCounts> {
    this.pass ??= this.run().finally(() => (this.pass = null));
    return this.pass;
  }

  private async run(): Promise<PruneCounts> {
    const r = this.retention;
    const counts: PruneCounts = { succeeded: 0, failed: 0, cancelled: 0 };
    const ages: [FinishedStatus, number | null][] = [['succeeded', r.succeededAfterMs], ['failed', r.failedAfterMs], ['cancelled', r.cancelledAfterMs]];
    for (const [status, age] of ages) {
      if (age === null) continue;
      for (;;) {
        const n = await this.dialect.deleteFinished(status, age, r.batchSize);
        counts[status] += n;
        if (n < r.batchSize) break;
        await new Promise((resolve) => setImmediate(resolve)); // let the runner's own statements in between batches
      }
    }
    const total = counts.succeeded + counts.failed + counts.cancelled;
    if (total > 0) this.logger.log(`Retention deleted ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.cancelled} cancelled task(s).`);
    return counts;
  }

  private schedule(): void {
    const delay = this.retention.intervalMs * (0.8 + 0.4 * Math.random());
    this.timer = setTimeout(async () => {
      try {
        await this.prune();
      } catch (error) {
        this.logger.warn(`Deleting finished tasks failed: ${String(error)}`);
      }
      if (this.timer) this.schedule();
    }, delay);
  }
}
