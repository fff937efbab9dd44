import { AsyncRunnerError } from '../errors/async-runner.error.js';
import { InvalidPayloadError } from '../errors/invalid-payload.error.js';
import { OversizedValueError } from '../errors/oversized-value.error.js';

/**
 * Serialises a payload (or result, or progress value) after checking it is plain JSON:
 * null, booleans, finite numbers, strings, arrays and plain objects, plus Dates, which are
 * stored as ISO strings. Anything JSON.stringify would silently drop, mangle or choke on is
 * refused with the path of the bad value, so what the handler receives is what was sent.
 * `undefined` object properties are dropped, as JSON does; `undefined` elsewhere is refused.
 * A getter, proxy trap or `toJSON` of the value that throws is refused the same way, with
 * what it threw as the error's `cause`.
 */
export function serializeJson(value: unknown, maxBytes: number, what = 'payload'): string {
  // Scalars (the common small payload) need no walk and no ancestor set.
  if (typeof value === 'object' && value !== null) {
    // Left at the failing value's position when something the caller's object runs throws.
    const path: (string | number)[] = [];
    try {
      check(value, path, new Set(), what);
    } catch (error) {
      if (error instanceof AsyncRunnerError) throw error;
      // A payload nested deeper than the stack allows is refused like any other bad value.
      if (error instanceof RangeError && /call stack/i.test(error.message)) throw new InvalidPayloadError('$', 'nested too deeply to serialise', what);
      throw new InvalidPayloadError(pathText(path), `reading it threw ${describeThrown(error)}`, what, { cause: error });
    }
  } else if (value !== undefined) {
    check(value, [], null, what);
  }
  let text: string;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    // The walk read every value once; what throws now is a Date's own toJSON or a getter that
    // threw only on a second read, at a position JSON.stringify does not report.
    throw new InvalidPayloadError('$', `serialising it threw ${describeThrown(error)}`, what, { cause: error });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new OversizedValueError(what, bytes, maxBytes);
  return text;
}

/** `$.a[0]["b c"]` for the keys and indexes from the root; built only for an error message. */
function pathText(path: readonly (string | number)[]): string {
  let out = '$';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return out;
}

function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'a value that cannot be shown';
  }
}

function invalid(path: readonly (string | number)[], reason: string, what: string): InvalidPayloadError {
  return new InvalidPayloadError(pathText(path), reason, what);
}

/** `path` is the walk's current position, pushed and popped as it descends. */
function check(value: unknown, path: (string | number)[], ancestors: Set<object> | null, what: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `${value} is not a finite number`, what);
      return;
    case 'bigint':
      throw invalid(path, 'BigInt has no JSON form; send it as a string', what);
    case 'function':
      throw invalid(path, 'functions cannot be stored; name a handler and send data', what);
    case 'symbol':
      throw invalid(path, 'symbols cannot be stored', what);
    case 'undefined':
      if (path.length === 0) return;
      throw invalid(path, 'undefined has no JSON form here; use null', what);
  }
  if (value === null) return;
  const obj = value as object;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw invalid(path, 'Invalid Date', what);
    // Stored through toJSON: only the standard one gives the ISO string the docs promise.
    if (Object.getPrototypeOf(obj) !== Date.prototype || Reflect.ownKeys(obj).length > 0) throw invalid(path, 'a Date subclass or a Date with properties of its own (toJSON, valueOf…) is not stored as an ISO string', what);
    return;
  }
  const seen = ancestors!;
  if (seen.has(obj)) throw invalid(path, 'circular reference', what);
  seen.add(obj);
  if (Array.isArray(obj)) {
    if (Object.getPrototypeOf(obj) !== Array.prototype) throw invalid(path, 'an Array subclass is not a plain array', what);
    // JSON keeps only the indexes: a named property on an array would vanish without a word.
    if (Object.keys(obj).length > obj.length) throw invalid(path, 'an array with named properties (only its elements would be stored)', what);
    for (let i = 0; i < obj.length; i++) {
      path.push(i);
      if (!(i in obj)) throw invalid(path, 'sparse array hole', what);
      check(obj[i], path, seen, what);
      path.pop();
    }
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
      throw invalid(path, `instance of ${name} is not a plain object (only plain objects, arrays and Dates)`, what);
    }
    if (Object.getOwnPropertySymbols(obj).length) throw invalid(path, 'symbol-keyed properties cannot be stored', what);
    const record = obj as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      // Pushed before the read, so a throwing getter is reported at its own key.
      path.push(key);
      const child = record[key];
      if (child !== undefined) check(child, path, seen, what);
      path.pop();
    }
  }
  seen.delete(obj);
}
