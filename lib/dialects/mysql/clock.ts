/** The database's UTC clock with milliseconds; independent of the session's time_zone. */
export const NOW = 'UTC_TIMESTAMP(3)';

/** `NOW + ms` as SQL; bind `ms * 1000` (microseconds) for the placeholder. */
export const NOW_PLUS = `DATE_ADD(${NOW}, INTERVAL ? MICROSECOND)`;

/**
 * A Date as DATETIME(3) text in UTC. The runner binds text rather than Date objects so the
 * driver's `timezone` setting cannot shift what it writes.
 */
export function utcText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
