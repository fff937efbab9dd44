import { Logger, type LoggerService } from '@nestjs/common';
import type { Outcome } from '../dialects/task-row.js';
import type { RunCounts } from './runner-status.js';

/**
 * Counts a written outcome, logs it at its level, and keeps `retries` (task id → next start,
 * for runUntilEmpty) in step: a retry is waited for, any final outcome is not.
 */
export function recordOutcome(outcome: Outcome, counts: RunCounts, retries: Map<number, number>, logger: LoggerService, started = true): void {
  if (outcome.kind === 'retry') retries.set(outcome.id, Date.now() + outcome.delayMs);
  else retries.delete(outcome.id);
  switch (outcome.kind) {
    case 'succeeded':
      counts.succeeded++;
      // Guarded: at thousands of tasks a second, building lines nobody logs is measurable.
      if (Logger.isLevelEnabled('debug')) logger.debug?.(`Task ${outcome.id} succeeded.`);
      break;
    case 'retry':
      counts.retried++;
      logger.warn(`Task ${outcome.id} failed; retry in ${outcome.delayMs} ms. ${outcome.error.split('\n')[0]}`);
      break;
    case 'failed':
      counts.failed++;
      logger.error(`Task ${outcome.id} failed for good: ${outcome.error.split('\n')[0]}`);
      break;
    case 'cancelled':
      counts.cancelled++;
      logger.log(`Task ${outcome.id} was cancelled ${started ? 'while running' : 'before it started'}.`);
      break;
  }
}
