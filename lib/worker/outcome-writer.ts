import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { Outcome } from '../dialects/task-row.js';

interface Pending {
  outcome: Outcome;
  done: () => void;
}

/** Batches written at once; more wait and merge into the next batch. */
const MAX_IN_FLIGHT = 2;
/** Single-outcome tries before the outcome is reduced to one the database must accept. */
const TRIES_BEFORE_DEGRADING = 3;

/**
 * Batches outcome writes: outcomes that arrive in the same turn of the event loop, or while
 * earlier batches are being written, go out in one round trip. A batch the database refuses
 * is split, so one bad outcome never holds up the others; each is then retried on its own
 * with backoff while the database is away (the runner keeps renewing those leases, so the
 * task is neither lost nor run twice). An outcome the database keeps refusing (a value it cannot store) is reduced to a plain one: a success
 * without its result, a failure with a short error. Retries stop at `close()`; the leases then
 * expire and the tasks are retried elsewhere.
 */
export class OutcomeWriter {
  private buffer: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private closed = false;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

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
        setImmediate(() => this.flush());
      }
    });
  }

  /** Retries resume after a runner restart. */
  open(): void {
    this.closed = false;
  }

  /** Stops retrying failed writes and ends their waits now (the leases will expire instead). */
  close(): void {
    this.closed = true;
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleeps.clear();
  }

  private flush(): void {
    this.scheduled = false;
    // While a batch is in flight, outcomes gather for the next one: under load batches grow to
    // what finishes during one round trip, instead of one statement per event-loop turn.
    if (this.inFlight >= MAX_IN_FLIGHT || this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight++;
    void this.deliver(batch).finally(() => {
      this.inFlight--;
      this.flush();
    });
  }

  private async deliver(batch: Pending[]): Promise<void> {
    try {
      await this.dialect.finish(this.workerId, batch.map((b) => b.outcome));
      for (const b of batch) b.done();
    } catch (error) {
      // Not awaited: retries with backoff must not hold up the batches behind them.
      if (batch.length === 1) void this.deliverOne(batch[0]!, error);
      else for (const b of batch) void this.deliverOne(b);
    }
  }

  private async deliverOne(item: Pending, firstError?: unknown): Promise<void> {
    let outcome = item.outcome;
    let lastError = firstError;
    for (let attempt = firstError === undefined ? 0 : 1; ; attempt++) {
      if (attempt > 0) {
        if (this.closed) break;
        if (attempt === TRIES_BEFORE_DEGRADING) outcome = degrade(outcome, lastError);
        const delay = Math.min(30_000, 100 * 2 ** (attempt - 1));
        this.logger.warn(`Writing the outcome of task ${outcome.id} failed (${String(lastError)}); retrying in ${delay} ms.`);
        await this.sleep(delay);
        if (this.closed) break;
      }
      try {
        await this.dialect.finish(this.workerId, [outcome]);
        item.done();
        return;
      } catch (error) {
        lastError = error;
      }
    }
    this.logger.error(`Could not write the outcome of task ${outcome.id} before shutdown; its lease will expire and it will be retried: ${String(lastError)}`);
    item.done();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const entry = { timer: setTimeout(() => (this.sleeps.delete(entry), wake()), ms), wake };
      this.sleeps.add(entry);
    });
  }
}

/** The same outcome with nothing in it the database could refuse. */
function degrade(outcome: Outcome, error: unknown): Outcome {
  const note = `(the original outcome could not be stored: ${String(error).slice(0, 200)})`.replace(/[^\x20-\x7e]/g, '?');
  switch (outcome.kind) {
    case 'succeeded':
      return { ...outcome, result: null };
    case 'retry':
    case 'failed':
    case 'cancelled':
      return { ...outcome, error: `${outcome.error.slice(0, 500).replace(/[^\x20-\x7e\n]/g, '?')} ${note}` };
  }
}
