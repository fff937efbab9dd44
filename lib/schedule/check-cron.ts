import { Cron } from 'croner';
import { InvalidOptionError } from '../errors/invalid-option.error.js';

/** Validates a handler's `cron` and `timezone` at discovery, so a typo fails at startup. */
export function checkCron(label: string, cron: unknown, timezone: unknown): { cron: string | null; timezone: string | null } {
  if (timezone !== undefined && cron === undefined) {
    throw new InvalidOptionError(`${label}.timezone`, 'to be given only together with cron', timezone);
  }
  if (cron === undefined) return { cron: null, timezone: null };
  if (timezone !== undefined) {
    try {
      if (typeof timezone !== 'string') throw new TypeError();
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new InvalidOptionError(`${label}.timezone`, 'an IANA time zone name such as "Europe/Berlin"', timezone);
    }
  }
  try {
    if (typeof cron !== 'string') throw new TypeError();
    // A paused job without a callback arms no timer; it only parses.
    new Cron(cron, { timezone: timezone as string | undefined, paused: true, mode: '5-or-6-parts' });
  } catch {
    throw new InvalidOptionError(`${label}.cron`, 'a cron expression of 5 fields (or 6 with seconds first)', cron);
  }
  return { cron, timezone: (timezone as string | undefined) ?? null };
}
