import type { Outcome } from './task-row.js';

/** One claim of a task: its id and the attempt the claim counted. */
export interface HeldTask {
  id: number;
  attempt: number;
}

/**
 * Ids grouped by the attempt their claim counted, each group in ascending id order (a stable
 * lock order against the sweep). Writes for a claimed row are fenced on the attempt as well as
 * on `locked_by`: a worker that lost a lease and then claimed the same task again holds the
 * new attempt under the same worker id, and the old attempt's late writes must not land on it.
 * A batch nearly always holds one attempt number, so this is one statement per batch.
 */
export function byAttempt(items: readonly HeldTask[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const { id, attempt } of items) {
    let ids = groups.get(attempt);
    if (!ids) groups.set(attempt, (ids = []));
    ids.push(id);
  }
  for (const ids of groups.values()) ids.sort((a, b) => a - b);
  return groups;
}

/** A success without a result: these share one statement per attempt number and chunk. */
export function isPlain(o: Outcome): boolean {
  return o.kind === 'succeeded' && o.result === null;
}

/** Statements a batch of outcomes takes when plain successes share one per `chunkSize` ids of one attempt. */
export function statementCount(outcomes: readonly Outcome[], chunkSize: number): number {
  let n = 0;
  for (const ids of byAttempt(outcomes.filter(isPlain)).values()) n += Math.ceil(ids.length / chunkSize);
  return n + outcomes.filter((o) => !isPlain(o)).length;
}
