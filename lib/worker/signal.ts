/** A tiny in-process publish/subscribe channel; listeners run synchronously in order. */
export class Signal<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  notify(value: T): void {
    for (const l of this.listeners) l(value);
  }
}
