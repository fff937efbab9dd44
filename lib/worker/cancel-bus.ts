import { Injectable } from '@nestjs/common';

type Listener = (taskId: number) => void;

/**
 * In-process signal from `TaskQueue.cancel()` to this process's runner, so a handler running
 * here is aborted at once. Runners in other processes learn of the request at their next
 * lease renewal instead.
 */
@Injectable()
export class CancelBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  notify(taskId: number): void {
    for (const l of this.listeners) l(taskId);
  }
}
