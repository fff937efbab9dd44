import type { ClaimedTask } from '../dialects/task-row.js';

/**
 * Tasks claimed ahead of free slots, per queue, in claim order (priority, then due time). They
 * are leased to this worker like running tasks, so the runner renews them and hands back the
 * ones still here when it stops. Each carries the local time (performance.now) its lease is
 * sure to last until, counted from when the claim or renewal was sent.
 */
export class PrefetchBuffer {
  private readonly queues = new Map<string, ClaimedTask[]>();
  private readonly byId = new Map<number, { task: ClaimedTask; leaseEnd: number }>();

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

  /** The tasks held now, in no particular order. */
  tasks(): ClaimedTask[] {
    return [...this.byId.values()].map((e) => e.task);
  }

  /** The task held under `id`, if any (identity tells one claim of a task from a later one). */
  task(id: number): ClaimedTask | undefined {
    return this.byId.get(id)?.task;
  }

  push(task: ClaimedTask, leaseEnd: number): void {
    let list = this.queues.get(task.queue);
    if (!list) this.queues.set(task.queue, (list = []));
    list.push(task);
    this.byId.set(task.id, { task, leaseEnd });
  }

  /** Records the renewed lease of `task`, if it is still held. */
  extend(task: ClaimedTask, leaseEnd: number): void {
    const entry = this.byId.get(task.id);
    if (entry?.task === task) entry.leaseEnd = leaseEnd;
  }

  /**
   * Removes and returns the oldest task of the first queue in `order` that has one and
   * `hasSlot`, with the local time its lease lasts until.
   */
  next(order: readonly string[], hasSlot: (queue: string) => boolean): { task: ClaimedTask; leaseEnd: number } | undefined {
    for (const q of order) {
      if (this.count(q) === 0 || !hasSlot(q)) continue;
      const task = this.queues.get(q)!.shift()!;
      const entry = this.byId.get(task.id)!;
      this.byId.delete(task.id);
      return entry;
    }
    return undefined;
  }

  /** Removes one task (lost lease, cancel); returns it, or undefined when it is not here. */
  remove(id: number): ClaimedTask | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    this.byId.delete(id);
    const list = this.queues.get(entry.task.queue)!;
    list.splice(list.indexOf(entry.task), 1);
    return entry.task;
  }

  /** Empties the buffer and returns what it held. */
  takeAll(): ClaimedTask[] {
    const all = [...this.byId.values()].map((e) => e.task);
    this.queues.clear();
    this.byId.clear();
    return all;
  }
}
