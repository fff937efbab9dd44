/**
 * Handler slots per queue. With one shared pool every served queue draws from `total`;
 * with per-queue slots a busy queue can never take another queue's slots.
 */
export class Slots {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly queues: readonly string[],
    private readonly total: number,
    private readonly perQueue: Readonly<Record<string, number>> | null,
  ) {}

  /** Free slots for `queue` now. */
  free(queue: string): number {
    if (this.perQueue) return (this.perQueue[queue] ?? 0) - (this.used.get(queue) ?? 0);
    let used = 0;
    for (const n of this.used.values()) used += n;
    return this.total - used;
  }

  take(queue: string): void {
    this.used.set(queue, (this.used.get(queue) ?? 0) + 1);
  }

  release(queue: string): void {
    this.used.set(queue, Math.max(0, (this.used.get(queue) ?? 0) - 1));
  }

  /** Served queues in claim order, rotated each call so no queue always goes first. */
  rotation(turn: number): string[] {
    const k = turn % this.queues.length;
    return [...this.queues.slice(k), ...this.queues.slice(0, k)];
  }

  get inUse(): number {
    let used = 0;
    for (const n of this.used.values()) used += n;
    return used;
  }
}
