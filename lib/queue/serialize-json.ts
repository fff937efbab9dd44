import { InvalidPayloadError } from '../errors/invalid-payload.error.js';
import { OversizedValueError } from '../errors/oversized-value.error.js';

/**
 * Serialises a payload (or result, or progress value) after checking it is plain JSON:
 * null, booleans, finite numbers, strings, arrays and plain objects, plus Dates, which are
 * stored as ISO strings. Anything JSON.stringify would silently drop, mangle or choke on is
 * refused with the path of the bad value, so what the handler receives is what was sent.
 * `undefined` object properties are dropped, as JSON does; `undefined` elsewhere is refused.
 */
export function serializeJson(value: unknown, maxBytes: number, what = 'payload'): string {
  try {
    check(value, '$', new Set(), what);
  } catch (error) {
    // A payload nested deeper than the stack allows is refused like any other bad value.
    if (error instanceof RangeError) throw new InvalidPayloadError('$', 'nested too deeply to serialise', what);
    throw error;
  }
  const text = JSON.stringify(value === undefined ? null : value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new OversizedValueError(what, bytes, maxBytes);
  return text;
}

function check(value: unknown, path: string, ancestors: Set<object>, what: string): void {
  const bad = (at: string, reason: string) => new InvalidPayloadError(at, reason, what);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw bad(path, `${value} is not a finite number`);
      return;
    case 'bigint':
      throw bad(path, 'BigInt has no JSON form; send it as a string');
    case 'function':
      throw bad(path, 'functions cannot be stored; name a handler and send data');
    case 'symbol':
      throw bad(path, 'symbols cannot be stored');
    case 'undefined':
      if (path === '$') return;
      throw bad(path, 'undefined has no JSON form here; use null');
  }
  if (value === null) return;
  const obj = value as object;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw bad(path, 'Invalid Date');
    return;
  }
  if (ancestors.has(obj)) throw bad(path, 'circular reference');
  ancestors.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) throw bad(`${path}[${i}]`, 'sparse array hole');
      check(obj[i], `${path}[${i}]`, ancestors, what);
    }
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw bad(path, `instance of ${name} is not a plain object (only plain objects, arrays and Dates)`);
    }
    if (Object.getOwnPropertySymbols(obj).length) throw bad(path, 'symbol-keyed properties cannot be stored');
    for (const [key, child] of Object.entries(obj)) {
      if (child === undefined) continue;
      check(child, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, ancestors, what);
    }
  }
  ancestors.delete(obj);
}
