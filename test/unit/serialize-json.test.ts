import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidPayloadError, OversizedValueError } from '../../lib/index.js';
import { serializeJson } from '../../lib/queue/serialize-json.js';

const LIMIT = 65_535;

function badAt(value: unknown, path: string, reason: RegExp): void {
  assert.throws(
    () => serializeJson(value, LIMIT),
    (error: unknown) => {
      assert.ok(error instanceof InvalidPayloadError, `expected InvalidPayloadError, got ${String(error)}`);
      assert.equal(error.path, path);
      assert.match(error.reason, reason);
      assert.ok(error.message.includes(path), error.message);
      return true;
    },
  );
}

class Point {
  constructor(readonly x = 1) {}
}

describe('serializeJson', () => {
  it('stores plain JSON unchanged', () => {
    const value = { s: 'x', n: -1.5, b: true, z: null, a: [1, 'two', [3]], o: { nested: {} } };
    assert.equal(serializeJson(value, LIMIT), JSON.stringify(value));
    assert.equal(serializeJson(Object.assign(Object.create(null), { k: 1 }), LIMIT), '{"k":1}');
  });

  it('stores a missing payload as null and drops undefined properties as JSON does', () => {
    assert.equal(serializeJson(undefined, LIMIT), 'null');
    assert.equal(serializeJson({ a: 1, b: undefined }, LIMIT), '{"a":1}');
  });

  it('stores Dates as ISO strings', () => {
    assert.equal(serializeJson({ at: new Date('2026-01-02T03:04:05.678Z') }, LIMIT), '{"at":"2026-01-02T03:04:05.678Z"}');
  });

  it('names the path of each kind of bad value', () => {
    badAt({ a: { b: [1, 10n] } }, '$.a.b[1]', /BigInt/);
    badAt(5n, '$', /BigInt/);
    const circular: Record<string, unknown> = { x: 1 };
    circular.self = { back: circular };
    badAt(circular, '$.self.back', /circular reference/);
    badAt({ fn: () => 1 }, '$.fn', /functions cannot be stored/);
    badAt([Symbol('s')], '$[0]', /symbols cannot be stored/);
    badAt({ n: NaN }, '$.n', /NaN is not a finite number/);
    badAt({ list: [0, Infinity] }, '$.list[1]', /Infinity is not a finite number/);
    badAt({ n: -Infinity }, '$.n', /-Infinity is not a finite number/);
    badAt({ p: new Point() }, '$.p', /instance of Point is not a plain object/);
    badAt({ m: new Map([[1, 2]]) }, '$.m', /instance of Map/);
    badAt({ s: new Set([1]) }, '$.s', /instance of Set/);
    badAt({ arr: [1, , 3] }, '$.arr[1]', /sparse array hole/);
    const named = Object.assign([1, 2], { note: 'dropped by JSON' });
    badAt({ named }, '$.named', /array with named properties/);
    class Items extends Array<number> {}
    badAt({ items: Items.from([1]) }, '$.items', /Array subclass/);
    const odd = new Date('2026-01-02T03:04:05.678Z');
    Object.defineProperty(odd, 'toJSON', { value: () => 'HACK' });
    badAt({ at: odd }, '$.at', /Date with properties of its own/);
    badAt({ 'odd key': [undefined] }, '$["odd key"][0]', /undefined has no JSON form here/);
    badAt({ when: new Date('nope') }, '$.when', /Invalid Date/);
    badAt({ [Symbol('k')]: 1 }, '$', /symbol-keyed properties/);
  });

  it('says which value is bad, so a handler result is not reported as a payload', () => {
    assert.throws(
      () => serializeJson({ n: 1n }, LIMIT, 'result'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidPayloadError);
        assert.equal(error.what, 'result');
        assert.equal(error.message, 'Task result is not plain JSON at $.n: BigInt has no JSON form; send it as a string');
        return true;
      },
    );
    assert.throws(() => serializeJson([NaN], LIMIT), { message: 'Task payload is not plain JSON at $[0]: NaN is not a finite number' });
  });

  it('accepts the same object twice when it is not circular', () => {
    const shared = { v: 1 };
    assert.equal(serializeJson({ a: shared, b: shared }, LIMIT), '{"a":{"v":1},"b":{"v":1}}');
  });

  it('refuses values over the byte limit with their size', () => {
    assert.equal(serializeJson('x'.repeat(98), 100), JSON.stringify('x'.repeat(98)));
    assert.throws(
      () => serializeJson('é'.repeat(60), 100, 'result'),
      (error: unknown) => {
        assert.ok(error instanceof OversizedValueError);
        assert.equal(error.what, 'result');
        assert.equal(error.bytes, 122);
        assert.equal(error.limit, 100);
        assert.match(error.message, /Task result is 122 bytes as JSON, over the limit of 100 bytes \(option maxPayloadBytes\)/);
        return true;
      },
    );
  });

  it('refuses a value whose getter, proxy trap or toJSON throws, at its path, keeping what it threw as the cause', () => {
    const boom = new Error('boom');
    let reads = 0;
    const cases: [string, unknown, string, string][] = [
      ['getter', { a: [{ get secret() { throw boom; } }] }, '$.a[0].secret', 'reading it threw Error: boom'],
      ['proxy trap', { p: new Proxy({}, { ownKeys() { throw boom; } }) }, '$.p', 'reading it threw Error: boom'],
      ['getter that throws only when read again', { get flaky() { if (reads++ > 0) throw boom; return 1; } }, '$', 'serialising it threw Error: boom'],
    ];
    for (const [label, value, path, reason] of cases) {
      assert.throws(
        () => serializeJson(value, LIMIT),
        (error: unknown) => {
          assert.ok(error instanceof InvalidPayloadError, `${label}: expected InvalidPayloadError, got ${String(error)}`);
          assert.equal(error.path, path, label);
          assert.equal(error.reason, reason, label);
          assert.equal(error.message, `Task payload is not plain JSON at ${path}: ${reason}`, label);
          assert.equal(error.cause, boom, label);
          return true;
        },
      );
    }
  });
});
