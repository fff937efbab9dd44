import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { Outcome } from '../dialects/task-row.js';

/**
 * Batches outcome writes: outcomes that arrive in the same turn of the event loop go out in
 * one round trip. A failed write (database restarting, connection dropped) is retried with
 * backoff until it applies or `close()` gives up; meanwhile the runner keeps renewing those
 * leases, so the task is neither lost nor run twice.
 */
export class OutcomeWriter {
  private buffer: { outcome: Outcome; done: () => void }[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly dialect: Dialect,
    private readonly workerId: string,
    private readonly logger: LoggerService,
  ) {}

  /** Resolves once the outcome is written (or abandoned at close). */
  write(outcome: Outcome): Promise<void> {
    return new Promise((done) => {
      this.buffer.push({ outcome, done });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
    }
    this.scheduled = false;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    this.flushing = this.writeWithRetry(batch.map((b) => b.outcome)).finally(() => {
      this.flushing = null;
      for (const b of batch) b.done();
    });
    await this.flushing;
  }

  private async writeWithRetry(outcomes: Outcome[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.dialect.finish(this.workerId, outcomes);
        return;
      } catch (error) {
        if (this.closed) {
          this.logger.error(`Could not write ${outcomes.length} task outcome(s) before shutdown; their leases will expire and they will be retried: ${String(error)}`);
          return;
        }
        const delay = Math.min(30_000, 100 * 2 ** attempt);
        this.logger.warn(`Writing ${outcomes.length} task outcome(s) failed (${String(error)}); retrying in ${delay} ms.`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Stops retrying failed writes (the leases will expire instead). */
  close(): void {
    this.closed = true;
  }
}
