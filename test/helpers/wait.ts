/** A promise with its resolve exposed, for handlers to signal tests. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Rejects with a message naming `label` if `promise` has not settled within `ms`; never leaves its timer behind. */
export async function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${label}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Re-checks a condition that has no event to wait on (a row written by another process)
 * until it holds, bounded by `ms`.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms: number, label: string, everyMs = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
