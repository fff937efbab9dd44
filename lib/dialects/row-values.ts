/** Converts driver-native column values (ms numbers, Date, strings, 0/1) to JS values. */
export function toDate(value: unknown): Date | null {
  if (value == null) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return new Date(Number(value));
    const iso = value.replace(' ', 'T');
    // PostgreSQL timestamptz text ends in an offset like +00 or +05:30.
    const offset = /([+-]\d\d)(:?(\d\d))?$/.exec(iso);
    if (offset && iso.includes('T')) return new Date(`${iso.slice(0, offset.index)}${offset[1]}:${offset[3] ?? '00'}`);
    // MySQL DATETIME text has no zone; the runner writes UTC.
    return new Date(/[zZ]$/.test(iso) ? iso : `${iso}Z`);
  }
  return null;
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function parseJson(text: string | null | undefined): unknown {
  return text == null ? null : JSON.parse(text);
}
