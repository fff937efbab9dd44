import type { LoggerService } from '@nestjs/common';
import type { ClaimedTask } from '../dialects/task-row.js';
import { loseLease, type AttemptControl } from './run-attempt.js';

/** A task whose handler this runner started, until its outcome is written. */
export interface Running extends AttemptControl {
  task: ClaimedTask;
  /** Local time (performance.now) its lease is sure to last until; renewals move it on. */
  leaseEnd: number;
  /** Settles when the handler has settled and its outcome is written. */
  done: Promise<void>;
  slotHeld: boolean;
  /** The handler has returned or thrown (its outcome may still be being written). */
  handlerSettled: boolean;
  /** Frees the slot this handler holds, once. */
  freeSlot(): void;
}

/**
 * At the end of a stop, gives up on handlers that ignored the shutdown abort. The app is about
 * to close its database connections: a write when such a handler returns would reopen them (and
 * keep the process alive), so nothing is written for it; its lease expires instead and another
 * runner retries the task. It leaves the running set, so a restarted runner never renews it, and
 * gives back its slot, so a restarted runner is not left with fewer slots (or none).
 */
export function abandonUnsettled(running: Map<number, Running>, superseded: Set<Running>, leaseMs: number, logger: LoggerService): void {
  const left = [...running.values(), ...superseded].filter((r) => !r.handlerSettled);
  for (const r of left) {
    r.abandoned = true;
    r.clearTimers?.();
    r.freeSlot();
    if (running.get(r.task.id) === r) running.delete(r.task.id);
    superseded.delete(r);
  }
  if (left.length === 0) return;
  logger.warn(
    `${left.length} handler(s) ignored the shutdown abort (task(s) ${left.map((r) => r.task.id).join(', ')}); left running unwatched: ` +
      `nothing more is written for them, and their leases expire after leaseMs (${leaseMs} ms) so another runner retries them.`,
  );
}

/**
 * An earlier attempt of a task this worker has claimed again: nothing of it may be written (its
 * writes are fenced by attempt in the database too, except after a retry() reset the count), and
 * its handler is told to stop. It leaves `running` to the new attempt, so it is kept in
 * `superseded` until it settles: stop() must still wait for it, abort it and clear its timers.
 */
export function supersede(earlier: Running, workerId: string, superseded: Set<Running>): void {
  loseLease(earlier, workerId);
  superseded.add(earlier);
  void earlier.done.finally(() => superseded.delete(earlier));
}
