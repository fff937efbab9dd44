import type { EntityManager } from '@mikro-orm/core';
import type { LoggerService } from '@nestjs/common';

/** Second argument of every task handler. */
export interface TaskContext {
  /** Id of the task row. */
  readonly taskId: number;
  readonly taskName: string;
  readonly queue: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * An EntityManager forked for this attempt alone: its identity map is fresh, so the handler
   * sees what others committed, and nothing it loads outlives the attempt.
   */
  readonly em: EntityManager;
  /** Fires when the attempt times out, the task is cancelled, or the runner shuts down past its grace period. */
  readonly signal: AbortSignal;
  /**
   * Stores a JSON progress value, readable through `TaskQueue.get(id)`. Once this attempt no
   * longer holds the task it writes nothing and rejects: with `LeaseLostError` when its lease
   * is gone, with `signal.reason` when a stop abandoned it.
   */
  progress(value: unknown): Promise<void>;
  /** Nest logger scoped to the task. */
  readonly logger: LoggerService;
}
