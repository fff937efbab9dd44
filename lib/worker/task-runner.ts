import { AsyncLocalStorage } from 'node:async_hooks';
import type { MikroORM } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import type { ClaimedTask, Outcome } from '../dialects/task-row.js';
import { ShutdownError } from '../errors/shutdown.error.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import type { TaskEvents } from '../events/task-events.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { LeaseRenewer } from './lease-renewer.js';
import { LeaseSweeper } from './lease-sweeper.js';
import { OutcomeWriter } from './outcome-writer.js';
import { PrefetchBuffer } from './prefetch-buffer.js';
import { recordOutcome } from './record-outcome.js';
import { noHandlerOutcome, runAttempt, type AttemptDeps } from './run-attempt.js';
import { abandonUnsettled, supersede, type Running } from './running-task.js';
import type { RunCounts, RunnerStatus } from './runner-status.js';
import { settlesWithin } from './settles-within.js';
import { Slots } from './slots.js';
import { MAX_TIMER_MS } from './timer-limit.js';
import { HandBack } from './hand-back.js';
import { eventTask, outcomeEvent } from './task-event-mapping.js';


/** How long stop() waits, after aborting handlers with ShutdownError, for them to react. */
const ABORT_GRACE_MS = 1000;

/**
 * The claim-run-finish loop of one process. Ticks never overlap: a wake during a tick only
 * asks for one more tick. The loop owns its timers (lease renewal, sweep) and clears them on
 * stop; the poll that drives it lives in the Nest service so it lists in SchedulerRegistry.
 */
export class TaskRunner {
  private state: RunnerStatus['state'] = 'stopped';
  private readonly logger = new Logger('AsyncRunner');
  private readonly running = new Map<number, Running>();
  /** Earlier attempts replaced in `running` by a re-claim of their task here, until they settle. */
  private readonly superseded = new Set<Running>();
  private readonly slots: Slots;
  private readonly prefetched = new PrefetchBuffer();
  private readonly handBack: HandBack;
  private readonly counts: RunCounts = { succeeded: 0, failed: 0, retried: 0, cancelled: 0 };
  private readonly writer: OutcomeWriter;
  private ticking = false;
  /** Settles when the current claim round ends (stop() waits for it, bounded). */
  private tickDone: Promise<void> = Promise.resolve();
  private launchTurn = 0;
  private again = false;
  private turn = 0;
  private errorStreak = 0;
  /** After a failed claim, polls and wakes do not claim again before this time (ms). */
  private claimPausedUntil = 0;
  private stopBaseline = 0;
  private stopping: Promise<void> | null = null;
  private readonly renewer: LeaseRenewer;
  private readonly sweeper: LeaseSweeper;
  private wakeTimer: NodeJS.Timeout | undefined;
  /** Tasks this runner rescheduled, by id → next start (ms); runUntilEmpty waits for them. */
  private readonly retries = new Map<number, number>();
  /** Handlers running plus outcomes not yet written, at most; new tasks wait above it. */
  private readonly maxTracked: number;
  private emptyWaiters: (() => void)[] = [];
  private readonly attemptDeps: AttemptDeps;

  private readonly outside = AsyncLocalStorage.snapshot();
  private readonly startMarginMs: number;

  constructor(
    orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly registry: HandlerRegistry,
    private readonly options: ResolvedAsyncRunnerOptions,
    private readonly events: TaskEvents,
  ) {
    this.startMarginMs = Math.min(options.leaseRenewIntervalMs, options.leaseMs / 2);
    this.slots = new Slots(options.queues, options.concurrency, options.queueSlots);
    this.maxTracked = options.concurrency + Math.max(100, 2 * (options.concurrency + options.prefetch));
    this.writer = new OutcomeWriter(dialect, options.workerId, this.logger);
    this.handBack = new HandBack(dialect, options.workerId, this.logger, (task) => {
      const outcome: Outcome = { kind: 'cancelled', id: task.id, attempt: task.attempts, error: new TaskCancelledError().message };
      recordOutcome(outcome, this.counts, this.retries, this.logger, false);
      if (this.events.active) this.events.emit(outcomeEvent(task, outcome));
    });
    const { workerId, leaseMs } = options;
    this.renewer = new LeaseRenewer(dialect, options.leaseRenewIntervalMs, { workerId, leaseMs, running: this.running, prefetched: this.prefetched, release: (tasks, why) => void this.handBack.release(tasks, why) }, this.logger);
    this.sweeper = new LeaseSweeper(dialect, options.sweepIntervalMs, this.logger, () => this.wake());
    this.attemptDeps = { orm, dialect, workerId, maxPayloadBytes: options.maxPayloadBytes, logger: this.logger };
  }

  get status(): RunnerStatus {
    return {
      state: this.state,
      workerId: this.options.workerId,
      queues: this.options.queues,
      // Handlers still executing. Tasks whose outcome is still being written are not counted:
      // their slot is already free and reused, so counting them would report more than
      // `concurrency` tasks in flight.
      inFlight: [...this.running.values()].filter((r) => !r.handlerSettled).length,
      prefetched: this.prefetched.size,
      counts: { ...this.counts },
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    // Stop rows written before this moment are history; only newer ones stop this runner.
    this.stopBaseline = await this.dialect.latestStopId();
    // runUntilEmpty waits for retries scheduled in this session only: a retry left by an
    // earlier session may be an hour of backoff away and would hold it that long.
    this.retries.clear();
    this.writer.open();
    this.state = 'running';
    this.renewer.start();
    this.sweeper.start();
    this.logger.log(`Runner ${this.options.workerId} started on queue(s) ${this.options.queues.join(', ')} with ${this.options.concurrency} slot(s).`);
    this.wake();
  }

  /**
   * Aborts a handler running here (in-process fast path of `cancel()`); false when the task
   * does not run in this process, where lease renewal delivers the request instead.
   */
  abort(id: number, reason: Error): boolean {
    // A task claimed ahead has no handler to abort: handing it back ends it cancelled, as
    // its cancel request is already stored.
    if (reason instanceof TaskCancelledError && this.prefetched.has(id)) {
      this.handBack.release([this.prefetched.remove(id)!], 'cancel');
      return true;
    }
    const entry = this.running.get(id);
    if (!entry || entry.controller.signal.aborted) return false;
    entry.controller.abort(reason);
    return true;
  }

  /** Asks for a claim round now (coalesced with one already under way). */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    let ended!: () => void;
    this.tickDone = new Promise((resolve) => (ended = resolve));
    // Deferred one turn so every slot freed in this turn is claimed by one statement.
    // In the async context the runner was built in, not the waker's: a wake after a commit runs
    // inside MikroORM's context of that (finished) transaction, and handlers launched by this
    // tick would otherwise see it as their own open transaction.
    setImmediate(() => this.outside(() => void this.tickLoop().finally(ended)));
  }

  /** Called by the poll: obey stop rows, then claim. */
  async poll(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const scopes = ['all', `worker:${this.options.workerId}`, ...this.options.queues.map((q) => `queue:${q}`)];
      const stop = await this.dialect.findStop(this.stopBaseline, scopes);
      if (stop) {
        this.logger.log(`Stop row ${stop.id} (${stop.scope}${stop.reason ? `: ${stop.reason}` : ''}) found; stopping after running tasks finish.`);
        void this.stop();
        return;
      }
    } catch (error) {
      this.logger.warn(`Checking stop rows failed: ${String(error)}`);
    }
    this.wake();
  }

  private async tickLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.tick();
      } while (this.again && this.state === 'running');
    } finally {
      this.ticking = false;
    }
  }

  private async tick(): Promise<void> {
    let claimed = 0;
    let full = false;
    // While the database is failing, the poll and wakes must not turn the backoff into a retry per poll.
    if (Date.now() + 10 < this.claimPausedUntil) return;
    try {
      const names = this.registry.names();
      // With no handlers nothing is ever claimable: report empty rather than leave
      // runUntilEmpty (and stopWhenEmpty) waiting forever.
      if (names.length === 0) {
        await this.onIdle();
        return;
      }
      const prefetch = this.options.prefetch;
      this.launchBuffered();
      for (const queue of this.slots.rotation(this.turn++)) {
        if (this.state !== 'running') break;
        const free = this.running.size >= this.maxTracked ? 0 : Math.max(0, this.slots.free(queue));
        // Refill the buffer in large claims (at half empty), not one claim per freed slot.
        const held = this.prefetched.count(queue);
        const limit = free + (prefetch > 0 && held <= prefetch / 2 ? prefetch - held : 0);
        if (limit === 0) continue;
        const sentAt = performance.now();
        const tasks = await this.dialect.claim({ workerId: this.options.workerId, queue, names, limit, leaseMs: this.options.leaseMs });
        // stop() began while this claim was out (it waits for it only so long): hand them back.
        if (this.state !== 'running') {
          void this.handBack.release(tasks, 'stop');
          break;
        }
        claimed += tasks.length;
        if (tasks.length === limit) full = true;
        // Through the buffer, so tasks claimed earlier start first (slots may have freed during the claim).
        for (const task of tasks) this.prefetched.push(task, sentAt + this.options.leaseMs);
        this.launchBuffered();
      }
      this.errorStreak = 0;
    } catch (error) {
      this.errorStreak++;
      const delay = Math.min(30_000, this.options.pollIntervalMs * 2 ** Math.min(this.errorStreak - 1, 10));
      this.claimPausedUntil = Date.now() + delay;
      this.logger.error(`Claiming tasks failed (${this.errorStreak} in a row); next try in ${delay} ms: ${String(error)}`);
      this.wakeAfter(delay);
      return;
    }
    // A full claim means more may be due: go again at once rather than waiting for the poll.
    // A queue skipped for want of slots may have freed one while another queue's claim was in
    // flight; that wake set `again`, and the next round must claim it before calling it idle.
    if (full) this.again = true;
    else if (claimed === 0 && this.running.size === 0 && this.prefetched.size === 0 && !this.again) await this.onIdle();
  }

  /**
   * Starts claimed tasks while slots are free, taking one queue at a time in rotation: with
   * slots shared by several queues, one queue's buffer must not take every slot that frees.
   */
  private launchBuffered(): void {
    if (this.state !== 'running') return;
    const queues = this.options.queues;
    // Back-pressure: a slot frees when its handler settles, before the outcome is written. With
    // fast handlers, outcomes waiting for the database would otherwise pile up without bound.
    const hasSlot = (q: string) => this.slots.free(q) > 0 && this.running.size < this.maxTracked;
    const lapsed: ClaimedTask[] = [];
    for (let next; this.prefetched.size > 0 && (next = this.prefetched.next(queues.length === 1 ? queues : this.slots.rotation(this.launchTurn++), hasSlot)); ) {
      // After a stall (a blocked event loop) the lease may have run out and the task may
      // belong to another worker now: never start it on a lease we cannot be sure of, nor on
      // one so short that it could lapse before the next renewal extends it. (At most half the
      // lease: with a renewal interval close to leaseMs, even a fresh claim would never start.)
      if (next.leaseEnd - performance.now() <= this.startMarginMs) lapsed.push(next.task);
      else this.launch(next.task, next.leaseEnd);
    }
    if (lapsed.length > 0) {
      this.logger.warn(`${lapsed.length} task(s) claimed ahead outlived their lease (or all but less than a renewal interval of it) before a slot freed; handed back unstarted.`);
      void this.handBack.release(lapsed, 'stop');
    }
  }

  private launch(task: ClaimedTask, leaseEnd: number): void {
    const handler = this.registry.get(task.name);
    const controller = new AbortController();
    this.slots.take(task.queue);
    const freeSlot = () => {
      if (!entry.slotHeld) return;
      entry.slotHeld = false;
      this.slots.release(task.queue);
      // Straight from the buffer, not via a tick: a tick may be waiting on a claim's round trip.
      this.launchBuffered();
      this.wake();
    };
    const entry: Running = { task, controller, leaseEnd, slotHeld: true, handlerSettled: false, done: Promise.resolve(), freeSlot, onIgnoredAbort: freeSlot };
    // An earlier attempt of this task still running here lost its lease (a stall let the sweep
    // take it back, or a retry() reset it, and this worker claimed it again).
    const earlier = this.running.get(task.id);
    if (earlier) supersede(earlier, this.options.workerId, this.superseded);
    this.running.set(task.id, entry);
    if (handler) {
      // Guarded: at thousands of tasks a second, building lines nobody logs is measurable.
      if (Logger.isLevelEnabled('debug')) this.logger.debug(`Task ${task.id} (${task.name}) attempt ${task.attempts}/${task.maxAttempts} started.`);
      if (this.events.active) this.events.emit({ type: 'started', task: eventTask(task) });
    }
    entry.done = (async () => {
      try {
        const outcome: Outcome | null = handler ? await runAttempt(task, handler, entry, this.attemptDeps) : noHandlerOutcome(task, this.options.pollIntervalMs);
        entry.handlerSettled = true;
        freeSlot();
        if (outcome && !entry.abandoned) {
          // Counted, logged and announced as stored, and not at all when nothing was written.
          const stored = await this.writer.write(outcome);
          if (stored) {
            recordOutcome(stored, this.counts, this.retries, this.logger);
            if (this.events.active) this.events.emit(outcomeEvent(task, stored));
          }
        }
      } catch (error) {
        this.logger.error(`Task ${task.id} (${task.name}): runner error ${String(error)}`);
      } finally {
        entry.handlerSettled = true;
        freeSlot();
        if (this.running.get(task.id) === entry) this.running.delete(task.id);
        this.wake();
      }
    })();
  }

  /** Nothing claimable now and nothing running: wait for our own retries, else report empty. */
  private async onIdle(): Promise<void> {
    if (this.retries.size > 0) {
      const pending = await this.dialect.pendingAmong([...this.retries.keys()]);
      this.retries.clear();
      for (const p of pending) this.retries.set(p.id, p.runAt.getTime());
      if (pending.length > 0) {
        const next = Math.min(...pending.map((p) => p.runAt.getTime()));
        this.wakeAfter(Math.max(0, next - Date.now()));
        return;
      }
    }
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const w of waiters) w();
    if (this.options.stopWhenEmpty && this.state === 'running') {
      this.logger.log('No tasks left to run; stopping (stopWhenEmpty).');
      void this.stop();
    }
  }

  private wakeAfter(ms: number): void {
    // A tick that was under way when stop() began may still get here after stop() cleared
    // the timer; arming a new one then would leave a timer behind after shutdown.
    if (this.state !== 'running') return;
    clearTimeout(this.wakeTimer);
    // setTimeout fires at once (with a warning) past 2^31-1 ms; a retry weeks away would spin.
    this.wakeTimer = setTimeout(() => this.wake(), Math.min(ms, MAX_TIMER_MS));
  }

  /** Resolves at the next moment nothing is due, nothing runs and none of our retries is pending. */
  whenEmpty(): Promise<void> {
    return new Promise((resolve) => {
      this.emptyWaiters.push(resolve);
      this.wake();
    });
  }

  /**
   * Graceful stop: no new claims; running handlers get `shutdownTimeoutMs` to finish, then
   * their signals abort with ShutdownError and they get one more second. Handlers that still
   * have not settled are abandoned: nothing more is written for them (the app is closing its
   * database connections), and their leases expire so another runner retries them.
   */
  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    this.state = 'stopping';
    this.stopping = (async () => {
      this.sweeper.stop();
      clearTimeout(this.wakeTimer);
      // A claim already out is waited for, but only up to the grace period: a claim stuck on a
      // lock or a dead connection must not hold shutdown. What it returns later is handed back.
      await settlesWithin(this.tickDone, this.options.shutdownTimeoutMs);
      // Tasks claimed ahead have not started: other runners may take them at once.
      await this.handBack.release(this.prefetched.takeAll(), 'stop');
      await this.handBack.settled();
      const entries = () => [...this.running.values(), ...this.superseded];
      const all = () => Promise.all(entries().map((r) => r.done));
      if (!(await settlesWithin(all(), this.options.shutdownTimeoutMs))) {
        this.logger.warn(`${entries().length} handler(s) still running after ${this.options.shutdownTimeoutMs} ms; aborting them.`);
        for (const r of entries()) r.controller.abort(new ShutdownError(this.options.shutdownTimeoutMs));
        await settlesWithin(all(), ABORT_GRACE_MS);
        abandonUnsettled(this.running, this.superseded, this.options.leaseMs, this.logger);
        this.writer.close();
      }
      this.renewer.stop();
      this.state = 'stopped';
      this.stopping = null;
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const w of waiters) w();
      this.logger.log(`Runner ${this.options.workerId} stopped.`);
    })();
    return this.stopping;
  }
}
