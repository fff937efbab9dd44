import { Cron } from 'croner';

/**
 * The next `count` slots of a cron expression strictly after `after`, as croner computes them
 * in `timezone` (UTC when null). Daylight-saving handling is croner's (the Vixie-cron rules):
 * a fixed-time job whose time falls in a spring-forward gap runs once right after the gap, one
 * whose time occurs twice at fall-back runs once; interval jobs (`0 * * * *`) skip gap times
 * and run on both occurrences of a repeated hour, as wall-clock cron means.
 */
export function nextSlots(cron: string, timezone: string | null, after: Date, count: number): Date[] {
  const job = new Cron(cron, { timezone: timezone ?? 'UTC', paused: true, mode: '5-or-6-parts' });
  return job.nextRuns(count, after);
}

/** Identity of one slot of one task name; stored in the unique `schedule_slot` column. */
export function slotKey(name: string, slot: Date): string {
  return `${name}@${slot.toISOString()}`;
}
