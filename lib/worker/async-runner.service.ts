import { MikroORM } from '@mikro-orm/core';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { POLL_INTERVAL_NAME, RESOLVED_OPTIONS } from '../async-runner.constants.js';
import type { Dialect } from '../dialects/dialect.js';
import { DIALECT } from '../dialects/dialect.provider.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskEvents } from '../events/task-events.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { CronScheduler } from '../schedule/cron-scheduler.js';
import { CancelBus } from './cancel-bus.js';
import { RetentionSweeper, type PruneCounts } from './retention-sweeper.js';
import type { RunCounts, RunnerStatus } from './runner-status.js';
import { TaskRunner } from './task-runner.js';
import { WakeBus } from './wake-bus.js';

/**
 * Runs due tasks in this process. With `autoStart` (the default) it starts when the app
 * bootstraps and stops gracefully when the app shuts down; its poll is listed in
 * `SchedulerRegistry` as `nest-async-runner:poll`.
 */
@Injectable()
export class AsyncRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: TaskRunner;
  private readonly sweeper: RetentionSweeper;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeCancel: (() => void) | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private starting: Promise<void> | null = null;
  private startRetry: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly logger = new Logger('AsyncRunner');

  constructor(
    orm: MikroORM,
    @Inject(DIALECT) private readonly dialect: Dialect,
    registry: HandlerRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedAsyncRunnerOptions,
    private readonly scheduler: SchedulerRegistry,
    private readonly wakeBus: WakeBus,
    events: TaskEvents,
    private readonly cancelBus: CancelBus,
    private readonly cron: CronScheduler,
  ) {
    this.runner = new TaskRunner(orm, dialect, registry, options, events);
    this.sweeper = new RetentionSweeper(dialect, options.retention, new Logger('AsyncRunner'));
  }

  /** Running or stopped, tasks in flight, attempts finished by outcome. */
  get status(): RunnerStatus {
    return this.runner.status;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.autoStart) await this.startOrRetry(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearTimeout(this.startRetry);
    await this.stop();
  }

  /**
   * Boot must not fail because the database is not ready yet (a server still starting, tables
   * a migration or `orm.schema.create()` will create just after init): log why, and try again
   * with backoff until it works or the app shuts down.
   */
  private async startOrRetry(failures: number): Promise<void> {
    if (this.shuttingDown) return;
    try {
      await this.start();
      if (failures > 0) this.logger.log('Runner started after earlier failures.');
    } catch (error) {
      const delay = Math.min(30_000, this.options.pollIntervalMs * 2 ** Math.min(failures, 10));
      // The first failure is often an app that creates its schema right after init: a warning;
      // from the second on it is an error.
      const message = `Could not start the runner (${String(error)}); trying again in ${delay} ms. Are the runner's tables created (schema generator or migrations)?`;
      if (failures === 0) this.logger.warn(message);
      else this.logger.error(message);
      clearTimeout(this.startRetry);
      this.startRetry = setTimeout(() => void this.startOrRetry(failures + 1), delay);
    }
  }

  /** Starts claiming; a no-op when already running. Called during a stop, it starts again once that stop is done. */
  start(): Promise<void> {
    // Concurrent calls (autoStart plus runUntilEmpty, two runUntilEmpty) share one start:
    // two would each arm the runner's timers and the second addInterval would throw.
    this.starting ??= this.startOnce().finally(() => (this.starting = null));
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    if (this.runner.status.state === 'stopping') await this.runner.stop();
    if (this.runner.status.state !== 'stopped') return;
    // A runner that stopped itself (stopWhenEmpty, a stop row) leaves its poll and wake
    // subscription until the next poll tick; drop them first, or addInterval throws on the
    // duplicate name and the new interval leaks.
    await this.detach();
    await this.runner.start();
    this.unsubscribe = this.wakeBus.subscribe((queue) => {
      if (this.options.queues.includes(queue)) this.runner.wake();
    });
    // Enqueues in other processes; null means notifications may have been missed.
    const unlisten = await this.dialect.listen?.((queue) => {
      if (queue === null || this.options.queues.includes(queue)) this.runner.wake();
    });
    // stop() may have run while the LISTEN connection was opening.
    if (this.runner.status.state === 'stopped') {
      await unlisten?.();
      return;
    }
    this.unlisten = unlisten;
    const poll = setInterval(() => {
      if (this.runner.status.state === 'running') void this.runner.poll();
      else void this.stop();
    }, this.options.pollIntervalMs);
    this.scheduler.addInterval(POLL_INTERVAL_NAME, poll);
    this.unsubscribeCancel = this.cancelBus.subscribe((id) => void this.runner.abort(id, new TaskCancelledError()));
    this.cron.start();
    this.sweeper.start();
  }

  /**
   * Deletes finished tasks older than the `retention` ages now (a started runner also does
   * this every `retention.intervalMs`); resolves with the rows deleted per status.
   */
  pruneFinished(): Promise<PruneCounts> {
    return this.sweeper.prune();
  }

  /**
   * Stops claiming and waits for running handlers, up to `shutdownTimeoutMs`; then aborts
   * their signals. Leaves no timer behind.
   */
  stop(): Promise<void> {
    // A start under way would otherwise arm its poll after this stop returned.
    if (this.starting) return this.starting.catch(() => undefined).then(() => this.stop());
    return Promise.all([this.detach(), this.sweeper.stop(), this.runner.stop()]).then(() => undefined);
  }

  /** Removes the poll, the cron schedule and every subscription; resolves once LISTEN is closed. */
  private detach(): Promise<void> {
    if (this.scheduler.doesExist('interval', POLL_INTERVAL_NAME)) this.scheduler.deleteInterval(POLL_INTERVAL_NAME);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeCancel?.();
    this.unsubscribeCancel = undefined;
    this.cron.stop();
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    return unlisten?.() ?? Promise.resolve();
  }

  /**
   * Runs until nothing this runner can run is due or running, and none of the retries it
   * scheduled is still pending; resolves with the attempts finished meanwhile. Starts the
   * runner if needed, and stops it again afterwards if it was not running before.
   */
  async runUntilEmpty(): Promise<RunCounts> {
    const before = this.runner.status.counts;
    // A start() still in progress counts as running: its caller wants the runner left on.
    const wasRunning = this.runner.status.state === 'running' || this.starting !== null;
    await this.start();
    await this.runner.whenEmpty();
    if (!wasRunning) await this.stop();
    const after = this.runner.status.counts;
    return {
      succeeded: after.succeeded - before.succeeded,
      failed: after.failed - before.failed,
      retried: after.retried - before.retried,
      cancelled: after.cancelled - before.cancelled,
    };
  }
}
