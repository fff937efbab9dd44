import { Inject, Injectable, Logger } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../async-runner.constants.js';
import type { Dialect } from '../dialects/dialect.js';
import { DIALECT } from '../dialects/dialect.provider.js';
import type { Task } from '../entities/task.entity.js';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { HandlerRegistry, type RegisteredHandler } from '../handlers/handler-registry.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { buildNewTask } from '../queue/build-new-task.js';
import { rowToTask } from '../queue/row-to-task.js';
import { WakeBus } from '../worker/wake-bus.js';
import { nextSlots, slotKey } from './cron-slots.js';
import { MAX_TIMER_MS } from '../worker/timer-limit.js';


/**
 * Enqueues one task per slot of every `@TaskHandler({ cron })` while the runner is started.
 * Every instance arms the same slots; the unique, never-released `schedule_slot` column lets
 * exactly one insert per slot succeed, so N instances on one database yield one task per slot.
 * Slots that pass while no instance runs are not caught up.
 */
@Injectable()
export class CronScheduler {
  private readonly logger = new Logger('AsyncRunner');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private active = false;

  constructor(
    @Inject(DIALECT) private readonly dialect: Dialect,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedAsyncRunnerOptions,
    private readonly registry: HandlerRegistry,
    private readonly wake: WakeBus,
  ) {}

  /** Arms every scheduled handler's next slot; a no-op when already started. */
  start(): void {
    if (this.active) return;
    this.active = true;
    for (const name of this.registry.names()) {
      const handler = this.registry.get(name)!;
      if (handler.cron) this.arm(handler, new Date());
    }
  }

  /** Clears every timer; slots not yet reached are left to other instances (or the next start). */
  stop(): void {
    this.active = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Enqueues the task of `name`'s slot at `slot` unless any instance already has; returns the
   * new task, or null when the slot was taken. Called by the timers; public for catching up a
   * missed slot by hand.
   * @throws InvalidOptionError when `name` has no cron schedule or `slot` is not one of its slots
   */
  async enqueueSlot(name: string, slot: Date): Promise<Task | null> {
    const handler = this.registry.get(name);
    if (!handler?.cron) throw new InvalidOptionError('name', 'the name of a @TaskHandler with a cron option', name);
    if (!(slot instanceof Date) || Number.isNaN(slot.getTime()) || nextSlots(handler.cron, handler.timezone, new Date(slot.getTime() - 1000), 1)[0]?.getTime() !== slot.getTime()) {
      throw new InvalidOptionError('slot', `a time matching "${handler.cron}"${handler.timezone ? ` in ${handler.timezone}` : ''}`, slot);
    }
    const row = buildNewTask(name, { scheduledFor: slot.toISOString() }, { runAt: slot }, this.registry, this.options);
    const inserted = await this.dialect.insertScheduled(row, slotKey(name, slot));
    if (!inserted) return null;
    this.wake.notify(row.queue);
    return rowToTask(inserted);
  }

  private arm(handler: RegisteredHandler, after: Date): void {
    if (!this.active) return;
    const [slot] = nextSlots(handler.cron!, handler.timezone, after, 1);
    if (!slot) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, slot.getTime() - Date.now()));
    const timer: NodeJS.Timeout = setTimeout(() => void this.fire(handler, slot, after, timer), delay);
    this.timers.set(handler.name, timer);
  }

  private async fire(handler: RegisteredHandler, slot: Date, after: Date, timer: NodeJS.Timeout): Promise<void> {
    // Timers far out are chained in setTimeout-sized steps; wake early ⇒ re-arm for the same slot.
    if (Date.now() < slot.getTime()) return this.arm(handler, after);
    try {
      const task = await this.enqueueSlot(handler.name, slot);
      if (task) this.logger.debug?.(`Scheduled task ${task.id} (${handler.name}) for ${slot.toISOString()}.`);
    } catch (error) {
      this.logger.error(`Enqueueing ${handler.name} for slot ${slot.toISOString()} failed: ${String(error)}`);
    }
    // Only the current chain goes on: a stop() during the insert cleared the map, and a start()
    // after it armed a timer of its own; re-arming here would start a second chain that no
    // stop() could clear.
    if (this.timers.get(handler.name) === timer) this.arm(handler, slot);
  }
}
