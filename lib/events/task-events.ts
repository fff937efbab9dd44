import { Injectable, Logger } from '@nestjs/common';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { TASK_EVENT_TYPES, type TaskEvent, type TaskEventOf, type TaskEventType } from './task-event.js';

type Listener<E extends TaskEvent = TaskEvent> = (event: E) => unknown;

/**
 * Lifecycle events of the tasks this process enqueues, cancels and runs. Listeners are
 * called synchronously in subscription order; a listener that throws (or rejects) is logged
 * and never disturbs the runner or other listeners. Events of tasks run by other processes
 * are not seen here (read the row with `TaskQueue.get`/`waitFor`).
 *
 * @example
 * constructor(events: TaskEvents) {
 *   events.subscribe((e) => metrics.increment(`task.${e.type}`));
 *   events.subscribe(['failed'], (e) => alert(e.task.name, e.error));
 * }
 */
@Injectable()
export class TaskEvents {
  private readonly logger = new Logger('AsyncRunner');
  private readonly listeners = new Set<{ types: ReadonlySet<TaskEventType>; fn: Listener }>();

  /** Calls `listener` for every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
  /** Calls `listener` for events of the given types only. */
  subscribe<T extends TaskEventType>(types: readonly T[], listener: Listener<TaskEventOf<T>>): () => void;
  subscribe(typesOrListener: readonly TaskEventType[] | Listener, maybe?: Listener<never>): () => void {
    const types = typeof typesOrListener === 'function' ? TASK_EVENT_TYPES : typesOrListener;
    const fn = (typeof typesOrListener === 'function' ? typesOrListener : maybe) as Listener;
    if (!Array.isArray(types) || types.some((t) => !TASK_EVENT_TYPES.includes(t))) {
      throw new InvalidOptionError('types', `a list of event types among ${TASK_EVENT_TYPES.join(', ')}`, types);
    }
    if (typeof fn !== 'function') throw new InvalidOptionError('listener', 'a function', fn);
    const entry = { types: new Set(types), fn };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Whether anyone listens: the runner skips building events nobody receives. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Delivers `event` to matching listeners. Used by the runner and the queue. */
  emit(event: TaskEvent): void {
    for (const { types, fn } of [...this.listeners]) {
      if (!types.has(event.type)) continue;
      try {
        const out = fn(event);
        if (out instanceof Promise) out.catch((error: unknown) => this.report(event, error));
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  private report(event: TaskEvent, error: unknown): void {
    this.logger.error(`A "${event.type}" listener for task ${event.task.id} (${event.task.name}) threw: ${String(error)}`);
  }
}
