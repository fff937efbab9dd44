import type { ClaimedTask } from '../dialects/task-row.js';

/**
 * Tasks claimed ahead of free slots, per queue, in claim order (priority, then due time). They
 * are leased to this worker like running tasks, so the runner renews them and hands back the
 * ones still here when it stops.
 */
export class PrefetchBuffer {
  private readonly queues = new Map<string, ClaimedTask[]>();
  private readonly byId = new Map<number, ClaimedTask>();

  get size(): number {
    return this.byId.size;
  }

  /** Tasks of `queue` held now. */
  count(queue: string): number {
    return this.queues.get(queue)?.length ?? 0;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  ids(): number[] {
    return [...this.byId.keys()];
  }

  push(task: ClaimedTask): void {
    let list = this.queues.get(task.queue);
    if (!list) this.queues.set(task.queue, (list = []));
    list.push(task);
    this.byId.set(task.id, task);
  }

  /** The oldest task of `queue`, removed; undefined when none. */
  shift(queue: string): ClaimedTask | undefined {
    const task = this.queues.get(queue)?.shift();
    if (task) this.byId.delete(task.id);
    return task;
  }

  /** Removes and returns the oldest task of the first queue in `order` that has one and `hasSlot`. */
  next(order: readonly string[], hasSlot: (queue: string) => boolean): ClaimedTask | undefined {
    for (const q of order) if (this.count(q) > 0 && hasSlot(q)) return this.shift(q);
    return undefined;
  }

  /** Removes one task (lost lease, cancel); returns it, or undefined when it is not here. */
  remove(id: number): ClaimedTask | undefined {
    const task = this.byId.get(id);
    if (!task) return undefined;
    this.byId.delete(id);
    const list = this.queues.get(task.queue)!;
    list.splice(list.indexOf(task), 1);
    return task;
  }

  /** Empties the buffer and returns what it held. */
  takeAll(): ClaimedTask[] {
    const all = [...this.byId.values()];
    this.queues.clear();
    this.byId.clear();
    return all;
  }
}
