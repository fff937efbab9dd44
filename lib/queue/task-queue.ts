import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../async-runner.constants.js';
import type { Dialect } from '../dialects/dialect.js';
import { DIALECT } from '../dialects/dialect.provider.js';
import { transactionOf } from '../dialects/sql-executor.js';
import type { Task } from '../entities/task.entity.js';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import type { TaskDefinition } from '../handlers/task-definition.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { checkInt, checkString } from '../options/validators.js';
import { WakeBus } from '../worker/wake-bus.js';
import { buildNewTask } from './build-new-task.js';
import type { EnqueueItem, EnqueueOptions } from './enqueue-options.js';
import { rowToTask } from './row-to-task.js';

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
    const name = typeof nameOrDef === 'string' ? nameOrDef : nameOrDef?.name;
    const row = buildNewTask(name, payload, options, this.registry, this.options);
    const ctx = transactionOf(options?.em);
    const [stored] = await this.dialect.insert([row], ctx);
    this.wake.notify(row.queue);
    return rowToTask(stored!);
  }

  /**
   * Adds many tasks in batched multi-row inserts. Every item is validated before any is
   * written; the first bad item's error names its index.
   */
  async enqueueMany(items: readonly EnqueueItem[], options: { em?: EnqueueOptions['em'] } = {}): Promise<Task[]> {
    if (!Array.isArray(items)) throw new InvalidOptionError('items', 'an array of { name, payload?, options? }', items);
    const rows = items.map((item, i) => {
      try {
        return buildNewTask(item?.name, item?.payload, item?.options, this.registry, this.options);
      } catch (error) {
        if (error instanceof Error) error.message = `enqueueMany item ${i}: ${error.message}`;
        throw error;
      }
    });
    if (rows.length === 0) return [];
    const ctx = transactionOf(options.em);
    const stored = await this.dialect.insert(rows, ctx);
    for (const q of new Set(rows.map((r) => r.queue))) this.wake.notify(q);
    return stored.map((r) => rowToTask(r));
  }

  /** The task as stored now, or null. */
  async get<P = unknown, R = unknown>(id: number): Promise<Task<P, R> | null> {
    const row = await this.dialect.getRow(checkInt('id', id, 1, Number.MAX_SAFE_INTEGER));
    return row ? rowToTask<P, R>(row) : null;
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
    await this.dialect.insertStop(scope, r);
  }
}
