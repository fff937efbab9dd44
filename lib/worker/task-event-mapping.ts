import type { ClaimedTask, Outcome } from '../dialects/task-row.js';
import { parseJson } from '../dialects/row-values.js';
import type { TaskEvent, TaskEventTask } from '../events/task-event.js';

/** The event view of a claimed task. */
export function eventTask(task: ClaimedTask): TaskEventTask {
  return { id: task.id, name: task.name, queue: task.queue, attempt: task.attempts, maxAttempts: task.maxAttempts };
}

/** The lifecycle event for a written outcome. */
export function outcomeEvent(task: ClaimedTask, outcome: Outcome): TaskEvent {
  const t = eventTask(task);
  switch (outcome.kind) {
    case 'succeeded':
      return { type: 'succeeded', task: t, result: parseJson(outcome.result) };
    case 'retry':
      return { type: 'retrying', task: t, error: firstLine(outcome.error), delayMs: outcome.delayMs };
    case 'failed':
      return { type: 'failed', task: t, error: firstLine(outcome.error) };
    case 'cancelled':
      return { type: 'cancelled', task: t };
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
