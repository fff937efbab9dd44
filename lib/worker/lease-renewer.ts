import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { ClaimedTask } from '../dialects/task-row.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import type { PrefetchBuffer } from './prefetch-buffer.js';
import { loseLease } from './run-attempt.js';

/** What the renewer needs of a task running in this process. */
export interface RenewableTask {
  readonly task: ClaimedTask;
  readonly controller: AbortController;
  /** Local time (performance.now) the lease is sure to last until, from when its claim or last renewal was sent. */
  leaseEnd: number;
  readonly handlerSettled: boolean;
  /** Set once this runner knows the task's lease is gone: nothing of this attempt may be written. */
  leaseLost?: boolean;
}

/** The runner's side of lease renewal: what it holds, and how it hands back claimed-ahead tasks. */
export interface LeaseHolder {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly running: ReadonlyMap<number, RenewableTask>;
  readonly prefetched: PrefetchBuffer;
  release(tasks: ClaimedTask[], why: 'cancel' | 'stop'): void;
}

/**
 * Renews, on a timer, the leases of every task this runner holds (running and claimed ahead),
 * and acts on what the renewal reports: a lost lease aborts the handler (or drops a task not
 * yet started), and a cancel requested from another process aborts it (or ends it unstarted).
 */
export class LeaseRenewer {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private lastTick = 0;

  constructor(
    private readonly dialect: Dialect,
    private readonly intervalMs: number,
    private readonly holder: LeaseHolder,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    clearInterval(this.timer);
    this.lastTick = performance.now();
    this.timer = setInterval(() => void this.renew(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Tells handlers whose lease no renewal has confirmed for `leaseMs` (renewals failing or hung,
   * the database unreachable) that it is gone: another runner's sweep may take the task back
   * now, and the task must not run in two places.
   */
  private expireUnconfirmed(): void {
    const now = performance.now();
    const lapsed: number[] = [];
    for (const [id, entry] of this.holder.running) {
      if (entry.handlerSettled || entry.leaseLost || now < entry.leaseEnd) continue;
      loseLease(entry, this.holder.workerId);
      lapsed.push(id);
    }
    if (lapsed.length > 0) {
      this.logger.warn(
        `No renewal confirmed the lease of task(s) ${lapsed.join(', ')} within leaseMs (${this.holder.leaseMs} ms); ` +
          'their handlers are aborted with LeaseLostError and nothing more is written for them: another runner may take them back.',
      );
    }
  }

  private async renew(): Promise<void> {
    const { running, prefetched } = this.holder;
    // Ticks that come late mean the event loop stalled: a reply to the renewal out may be
    // waiting unread (this timer runs before I/O is read), and it may confirm the lease.
    const now = performance.now();
    const stalled = now - this.lastTick > 2 * this.intervalMs;
    this.lastTick = now;
    // One renewal at a time: while the database stalls, stacked renewals would each hold a
    // pooled connection that finishes and claims need. A renewal still out (hung) confirms
    // nothing meanwhile, so leases it leaves unconfirmed expire here, one tick later after a
    // stall. (After a stall with no renewal out, the renewal about to go out decides: a lease
    // still held is simply extended.)
    if (this.renewing) {
      if (!stalled) this.expireUnconfirmed();
      return;
    }
    if (running.size === 0 && prefetched.size === 0) return;
    this.renewing = true;
    // The answer is matched against the claims as they were when the renewal was sent: a task
    // that finished, was retried and was claimed again meanwhile is a later attempt, which an
    // answer about the earlier one must not abort, cancel or drop.
    const sentRunning = [...running];
    const sentAhead = prefetched.tasks();
    const ids = [...sentRunning.map(([id]) => id), ...sentAhead.map((t) => t.id)];
    try {
      const sentAt = performance.now();
      const { held, cancelRequested } = await this.dialect.renew(this.holder.workerId, ids, this.holder.leaseMs);
      const heldSet = new Set(held);
      const cancelSet = new Set(cancelRequested);
      const answerRunning = (entry: RenewableTask, id: number) => {
        if (heldSet.has(id)) {
          entry.leaseEnd = Math.max(entry.leaseEnd, sentAt + this.holder.leaseMs);
          if (cancelSet.has(id) && !entry.controller.signal.aborted) entry.controller.abort(new TaskCancelledError());
          return;
        }
        loseLease(entry, this.holder.workerId);
      };
      for (const [id, entry] of sentRunning) if (running.get(id) === entry) answerRunning(entry, id);
      for (const task of sentAhead) {
        if (prefetched.task(task.id) !== task) {
          // Started from the buffer while the renewal was out: the answer is about this very claim.
          const entry = running.get(task.id);
          if (entry?.task === task) answerRunning(entry, task.id);
          continue;
        }
        // Another runner took it back after our lease lapsed: it is theirs now, not ours to start.
        if (!heldSet.has(task.id)) {
          prefetched.remove(task.id);
          this.logger.warn(`Task ${task.id}, claimed ahead, lost its lease before it started; left to its new owner.`);
        } else if (cancelSet.has(task.id)) this.holder.release([prefetched.remove(task.id)!], 'cancel');
        else prefetched.extend(task, sentAt + this.holder.leaseMs);
      }
    } catch (error) {
      this.logger.warn(`Renewing ${ids.length} lease(s) failed: ${String(error)}`);
      this.expireUnconfirmed();
    } finally {
      this.renewing = false;
    }
  }
}
