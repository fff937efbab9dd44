import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { Finished, Outcome } from '../dialects/task-row.js';

/**
 * The outcome as the database stored it: the one written (the same object in the usual case),
 * a `cancelled` one for a retry that a cancel request overtook, the plain form of one the
 * database kept refusing, or null when nothing was written (the lease was lost, or the runner
 * stopped before the write got through).
 */
export type Stored = Outcome | null;

interface Pending {
  outcome: Outcome;
  done: (stored: Stored) => void;
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
 * expire and the tasks are retried elsewhere. Each write answers with what was stored, which
 * is what the runner reports: the database may have turned a retry into a cancel, or refused
 * the write of a worker that lost its lease.
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

  /** Resolves once the outcome is written, with what was stored, or with null when it was not written. */
  write(outcome: Outcome): Promise<Stored> {
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
    let finished: Finished;
    try {
      finished = await this.dialect.finish(this.workerId, batch.map((b) => b.outcome));
    } catch (error) {
      // Not awaited: retries with backoff must not hold up the batches behind them.
      if (batch.length === 1) void this.deliverOne(batch[0]!, error);
      else for (const b of batch) void this.deliverOne(b);
      return;
    }
    // Each write of a batch is one row, so when as many applied as were sent, every one did.
    if (finished.applied.length === batch.length && finished.cancelled.length === 0) {
      for (const b of batch) b.done(b.outcome);
      return;
    }
    const applied = new Set(finished.applied);
    const cancelled = new Set(finished.cancelled);
    // Latest first: should a stale attempt's outcome share a batch with the task's next
    // attempt (queued before that attempt was claimed), only the later one can have applied.
    for (let i = batch.length - 1; i >= 0; i--) {
      const b = batch[i]!;
      this.settle(b, b.outcome, applied.delete(b.outcome.id), cancelled.has(b.outcome.id));
    }
  }

  /** Resolves `item` with what `written` (its outcome, perhaps degraded) stored. */
  private settle(item: Pending, written: Outcome, applied: boolean, cancelled: boolean): void {
    if (!applied) {
      this.logger.warn(`Outcome of task ${written.id} attempt ${written.attempt} (${written.kind}) not written (lease lost / runner stopped): this worker no longer holds that attempt.`);
      return item.done(null);
    }
    item.done(cancelled && written.kind === 'retry' ? { kind: 'cancelled', id: written.id, attempt: written.attempt, error: written.error } : written);
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
        const finished = await this.dialect.finish(this.workerId, [outcome]);
        return this.settle(item, outcome, finished.applied.length > 0, finished.cancelled.length > 0);
      } catch (error) {
        lastError = error;
      }
    }
    this.logger.error(`Could not write the outcome of task ${outcome.id} before shutdown; its lease will expire and it will be retried: ${String(lastError)}`);
    item.done(null);
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
