import { InvalidOptionError } from '../errors/invalid-option.error.js';

// Small checks shared by module, handler and enqueue option validation; each throws an
// InvalidOptionError that names the option and the accepted range.

export function checkInt(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function checkNumber(option: string, value: unknown, min: number, max: number, minExclusive = false): number {
  const below = minExclusive ? (value as number) <= min : (value as number) < min;
  if (typeof value !== 'number' || !Number.isFinite(value) || below || value > max) {
    throw new InvalidOptionError(option, `a number ${minExclusive ? 'above' : 'from'} ${min} ${minExclusive ? 'and at most' : 'to'} ${max}`, value);
  }
  return value;
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'true or false', value);
  return value;
}

const NAME = /^[A-Za-z0-9_.:\-/]+$/;

export function checkName(option: string, value: unknown, maxLength = 64): string {
  if (typeof value !== 'string' || value.length > maxLength || !NAME.test(value)) {
    throw new InvalidOptionError(option, `a non-empty string of at most ${maxLength} letters, digits or _ . : - /`, value);
  }
  return value;
}

/** A non-empty string of at most `maxLength` characters, without NUL: PostgreSQL refuses NUL in text. */
export function checkString(option: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || value.includes('\u0000')) {
    throw new InvalidOptionError(option, `a non-empty string of at most ${maxLength} characters, without NUL (\\0) characters`, value);
  }
  return value;
}

export function checkObject(option: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(option, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** Rejects keys the caller did not mean: a typo should fail loudly, not be ignored. */
export function checkKnownKeys(option: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const name = option ? `${option}.${key}` : key;
      throw new InvalidOptionError(name, `one of the known options (${known.join(', ')})`, readOption(name, value, key));
    }
  }
}

/**
 * Reads each of `keys` once into a plain object. A getter (or proxy trap) that throws becomes
 * an InvalidOptionError naming the key, with the thrown error as `cause`; reading once also
 * means a getter cannot return one value to the check and another to the insert.
 */
export function readOptions<K extends string>(option: string, value: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const v = readOption(option ? `${option}.${key}` : key, value, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function readOption(name: string, value: Record<string, unknown>, key: string): unknown {
  try {
    return value[key];
  } catch (error) {
    throw new InvalidOptionError(name, 'a readable value (reading it threw)', error, { cause: error });
  }
}
