import { InvalidOptionError } from '../errors/invalid-option.error.js';
import type { BackoffOptions, ResolvedBackoff } from './backoff-options.js';
import { checkKnownKeys, checkNumber, checkObject } from './validators.js';

const KEYS = ['baseMs', 'factor', 'maxMs', 'jitter'] as const;

/** Merges `value` over `fallback`, validating each given field. */
export function resolveBackoff(option: string, value: BackoffOptions | undefined, fallback: ResolvedBackoff): ResolvedBackoff {
  if (value === undefined) return fallback;
  const obj = checkObject(option, value);
  checkKnownKeys(option, obj, KEYS);
  const out: ResolvedBackoff = {
    baseMs: obj.baseMs === undefined ? fallback.baseMs : checkNumber(`${option}.baseMs`, obj.baseMs, 0, 2_147_483_647, true),
    factor: obj.factor === undefined ? fallback.factor : checkNumber(`${option}.factor`, obj.factor, 1, 100),
    maxMs: obj.maxMs === undefined ? fallback.maxMs : checkNumber(`${option}.maxMs`, obj.maxMs, 0, 2_147_483_647, true),
    jitter: obj.jitter === undefined ? fallback.jitter : checkNumber(`${option}.jitter`, obj.jitter, 0, 1),
  };
  if (out.maxMs < out.baseMs) {
    throw new InvalidOptionError(`${option}.maxMs`, `a number at least baseMs (${out.baseMs})`, out.maxMs);
  }
  return out;
}
