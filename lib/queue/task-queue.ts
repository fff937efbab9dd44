import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../async-runner.constants.js';
import type { Dialect } from '../dialects/dialect.js';
import { DIALECT } from '../dialects/dialect.provider.js';
import { sqliteTransaction, transactionOf } from '../dialects/sql-executor.js';
import type { Task } from '../entities/task.entity.js';
import { FINISHED_STATUSES, type TaskStatus } from '../entities/task-status.js';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskNotFoundError } from '../errors/task-not-found.error.js';
import { TaskStateError } from '../errors/task-state.error.js';
import { WaitInTransactionError } from '../errors/wait-in-transaction.error.js';
import { TaskEvents } from '../events/task-events.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import type { TaskDefinition } from '../handlers/task-definition.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { checkInt, checkKnownKeys, checkObject, checkString, readOptions } from '../options/validators.js';
import { CancelBus } from '../worker/cancel-bus.js';
import { WakeBus } from '../worker/wake-bus.js';
import { buildNewTask } from './build-new-task.js';
import { CommitWake } from './commit-wake.js';
import type { EnqueueItem, EnqueueOptions } from './enqueue-options.js';
import { rowToTask } from './row-to-task.js';
import { waitForTask } from './wait-for-task.js';

const MAX_ID = Number.MAX_SAFE_INTEGER;
const ACTIVE: readonly string[] = ['pending', 'running'];
const ITEM_KEYS: readonly (keyof EnqueueItem)[] = ['name', 'payload', 'options'];

/**
 * Adds tasks and reads them back. Inject it anywhere; every method validates its input and
 * throws a typed error before writing anything.
 */
@Injectable()
export class TaskQueue {
  constructor(
    @Inject(DIALECT) private readonly dialect: Dialect,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedAsyncRunnerOptions,
    private readonly registry: HandlerRegistry,
    private readonly wake: WakeBus,
    private readonly commitWake: CommitWake,
    private readonly cancelBus: CancelBus,
    private readonly events: TaskEvents,
  ) {}

  /**
   * Adds one task and returns it as stored (a detached snapshot).
   * @throws UnknownTaskError when no handler in this app has the name (unless `allowUnknownTasks`)
   * @throws InvalidPayloadError when the payload is not plain JSON
   * @throws InvalidOptionError naming the bad option
   */
  async enqueue<P, R>(task: TaskDefinition<P, R>, payload: P, options?: EnqueueOptions): Promise<Task<P, R>>;
  async enqueue<P = unknown>(name: string, payload?: P, options?: EnqueueOptions): Promise<Task<P>>;
  async enqueue(nameOrDef: string | TaskDefinition<unknown, unknown>, payload?: unknown, options?: EnqueueOptions): Promise<Task> {
    const name = typeof nameOrDef === 'object' && nameOrDef !== null ? nameOrDef.name : nameOrDef;
    const row = buildNewTask(name, payload, options, this.registry, this.options);
    // On SQLite, an enqueue inside an open transaction can only go through it (see sqliteTransaction).
    const ctx = transactionOf(options?.em) ?? sqliteTransaction(this.dialect);
    const [stored] = await this.dialect.insert([row], ctx);
    this.notify(row.queue, ctx);
    return rowToTask(stored!);
  }

  /**
   * Adds many tasks in batched multi-row inserts. Every item is validated before any is
   * written; the first bad item's error names its index.
   * @throws InvalidOptionError for a bad option, or an item key other than name, payload, options
   */
  async enqueueMany(items: readonly EnqueueItem[], options: { em?: EnqueueOptions['em'] } = {}): Promise<Task[]> {
    if (!Array.isArray(items)) throw new InvalidOptionError('items', 'an array of { name, payload?, options? }', items);
    checkKnownKeys('', checkObject('options', options) as Record<string, unknown>, ['em']);
    const rows = items.map((item, i) => {
      try {
        let fields: Partial<Record<keyof EnqueueItem, unknown>> = {};
        if (item !== null && typeof item === 'object') {
          // A misspelt `options` would otherwise drop every option of the item without a word.
          checkKnownKeys('', item as unknown as Record<string, unknown>, ITEM_KEYS);
          fields = readOptions('', item as unknown as Record<string, unknown>, ITEM_KEYS);
        }
        return buildNewTask(fields.name, fields.payload, fields.options as EnqueueOptions | undefined, this.registry, this.options, true);
      } catch (error) {
        if (error instanceof Error) error.message = `enqueueMany item ${i}: ${error.message}`;
        throw error;
      }
    });
    if (rows.length === 0) return [];
    const ctx = transactionOf(options.em) ?? sqliteTransaction(this.dialect);
    const stored = await this.dialect.insert(rows, ctx);
    for (const q of new Set(rows.map((r) => r.queue))) this.notify(q, ctx);
    return stored.map((r) => rowToTask(r));
  }

  /** The task as stored now (status, attempts, result, progress, last error), or null. */
  async get<P = unknown, R = unknown>(id: number): Promise<Task<P, R> | null> {
    const row = await this.dialect.getRow(checkInt('id', id, 1, MAX_ID), sqliteTransaction(this.dialect));
    return row ? rowToTask<P, R>(row) : null;
  }

  /**
   * Cancels a task. A pending task becomes `cancelled` at once. A running task's handler has
   * its `ctx.signal` aborted with a `TaskCancelledError` (at once in this process, at the
   * next lease renewal in another) and the task ends `cancelled`, never retried. Cancelling
   * a cancelled task is a no-op. Returns the task as it is after the call.
   * @throws TaskNotFoundError when there is no such task
   * @throws TaskStateError when the task already succeeded or failed
   */
  async cancel(id: number): Promise<Task> {
    const taskId = checkInt('id', id, 1, MAX_ID);
    const ctx = sqliteTransaction(this.dialect);
    let res = await this.dialect.cancel(taskId, new TaskCancelledError().message, ctx);
    // The pending and running cases are two statements: a task moving between them (a retry
    // written, a claim) can slip past both. Read pending or running afterwards, it is tried again.
    for (let tries = 1; res?.action === 'none' && ACTIVE.includes(res.row.status) && tries < 10; tries++) {
      res = await this.dialect.cancel(taskId, new TaskCancelledError().message, ctx);
    }
    if (!res) throw new TaskNotFoundError(taskId);
    const task = rowToTask(res.row);
    if (res.action === 'cancelled') {
      const event = { type: 'cancelled', task: { id: task.id, name: task.name, queue: task.queue, attempt: task.attempts, maxAttempts: task.maxAttempts } } as const;
      this.afterCommit(ctx, () => this.events.emit(event));
    } else if (res.action === 'requested') {
      this.afterCommit(ctx, () => this.cancelBus.notify(taskId));
    } else if (task.status !== 'cancelled') {
      throw new TaskStateError(taskId, task.status, 'cancel');
    }
    return task;
  }

  /**
   * Puts a `failed` or `cancelled` task back to `pending`, due now, with a fresh count of
   * attempts (its last error is kept until the next attempt overwrites it). A unique key the
   * task had was released when it finished and is not restored.
   * @throws TaskNotFoundError when there is no such task
   * @throws TaskStateError when the task is pending, running or succeeded
   */
  async retry(id: number): Promise<Task> {
    const taskId = checkInt('id', id, 1, MAX_ID);
    const ctx = sqliteTransaction(this.dialect);
    const row = await this.dialect.retry(taskId, ctx);
    if (!row) {
      const current = await this.dialect.getRow(taskId, ctx);
      if (!current) throw new TaskNotFoundError(taskId);
      throw new TaskStateError(taskId, current.status, 'retry');
    }
    this.notify(row.queue, ctx);
    return rowToTask(row);
  }

  /**
   * Resolves with the task once it is `succeeded`, `failed` or `cancelled` (check `status`;
   * a failed task does not reject). In this process the runner's events resolve it at once;
   * a task run by another process is noticed by re-reading the row every `pollIntervalMs`.
   * @throws TaskNotFoundError when there is no such task
   * @throws WaitTimeoutError when it has not finished within `timeoutMs` (default 60000)
   * @throws WaitInTransactionError when called inside an open SQLite transaction for a task not finished yet
   */
  async waitFor<P = unknown, R = unknown>(id: number, options: { timeoutMs?: number } = {}): Promise<Task<P, R>> {
    const taskId = checkInt('id', id, 1, MAX_ID);
    const o = checkObject('options', options);
    checkKnownKeys('', o, ['timeoutMs']);
    const timeoutMs = o.timeoutMs === undefined ? 60_000 : checkInt('timeoutMs', o.timeoutMs, 1, 2_147_483_647);
    const ctx = sqliteTransaction(this.dialect);
    if (ctx) {
      // Inside a SQLite transaction the runner cannot write until it ends: answer at once.
      const current = await this.dialect.getRow(taskId, ctx);
      if (!current) throw new TaskNotFoundError(taskId);
      if (!FINISHED_STATUSES.includes(current.status as TaskStatus)) throw new WaitInTransactionError(taskId, current.status);
      return rowToTask<P, R>(current);
    }
    const row = await waitForTask(taskId, timeoutMs, {
      dialect: this.dialect,
      events: this.events,
      isFinished: (status) => FINISHED_STATUSES.includes(status as TaskStatus),
      pollMs: (r) => (r.status === 'running' && r.locked_by === this.options.workerId ? this.options.leaseMs : this.options.pollIntervalMs),
    });
    return rowToTask<P, R>(row);
  }

  /**
   * Writes a stop row: every runner that started before it (in any process on this database)
   * stops claiming, lets running handlers finish and stops. Runners started later ignore it.
   * @param scope `all` (default), `queue:<name>` or `worker:<workerId>`
   */
  async requestStop(reason?: string, scope = 'all'): Promise<void> {
    const r = reason === undefined ? null : checkString('reason', reason, 10_000);
    if (scope !== 'all' && !/^(queue|worker):.{1,185}$/.test(scope)) {
      throw new InvalidOptionError('scope', '"all", "queue:<name>" or "worker:<workerId>"', scope);
    }
    await this.dialect.insertStop(scope, r, sqliteTransaction(this.dialect));
  }

  /** Runs `action` now, or when the caller's transaction commits (never if it rolls back). */
  private afterCommit(ctx: object | undefined, action: () => void): void {
    if (ctx) this.commitWake.onCommit(ctx, action);
    else action();
  }

  /** Wakes runners for `queue`: now, or when the caller's transaction commits. */
  private notify(queue: string, ctx: object | undefined): void {
    if (ctx) this.commitWake.afterCommit(ctx, queue);
    else this.wake.notify(queue);
  }
}
