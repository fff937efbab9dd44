/** Read-only view of a runner, from `AsyncRunnerService.status`. */
export interface RunnerStatus {
  /** `stopping` while a graceful stop waits for handlers. */
  readonly state: 'stopped' | 'running' | 'stopping';
  readonly workerId: string;
  readonly queues: readonly string[];
  /** Handlers executing now (at most `concurrency`, unless a handler ignored its abort signal). */
  readonly inFlight: number;
  /** Tasks claimed ahead and waiting for a slot (see the `prefetch` option); 0 without prefetch. */
  readonly prefetched: number;
  /** Attempts finished since the process started, by outcome. */
  readonly counts: Readonly<RunCounts>;
}

/** Attempts finished, by outcome. */
export interface RunCounts {
  succeeded: number;
  failed: number;
  retried: number;
  cancelled: number;
}
