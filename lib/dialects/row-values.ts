/** Converts driver-native column values (ms numbers, Date, strings, 0/1) to JS values. */
export function toDate(value: unknown): Date | null {
  if (value == null) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return new Date(Number(value));
    const text = value.replace(' ', 'T');
    if (/[zZ]$/.test(text)) return new Date(text);
    // PostgreSQL text ends in +00 or +05:30; MySQL DATETIME text has no zone (the runner writes UTC).
    const zone = /([+-]\d\d)(?::?(\d\d))?$/.exec(text);
    return new Date(zone ? `${text.slice(0, zone.index)}${zone[1]}:${zone[2] ?? '00'}` : `${text}Z`);
  }
  return null;
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function parseJson(text: string | null | undefined): unknown {
  return text == null ? null : JSON.parse(text);
}
