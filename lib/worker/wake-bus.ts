import { Injectable } from '@nestjs/common';

type Listener = (queue: string) => void;

/**
 * In-process signal from `TaskQueue` to the runner: an enqueue here wakes the runner at
 * once instead of at the next poll. Other processes rely on LISTEN/NOTIFY or the poll.
 */
@Injectable()
export class WakeBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(queue: string): void {
    for (const l of this.listeners) l(queue);
  }
}
