import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuplicateHandlerError, HandlerRegistry, InvalidOptionError, resolveOptions } from '../../lib/index.js';

const run = () => null;

function registry(): HandlerRegistry {
  return new HandlerRegistry(resolveOptions({ maxAttempts: 4, backoff: { baseMs: 10 }, defaultQueue: 'main' }));
}

function rejects(fn: () => unknown, option: string, expected: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
    assert.equal(error.option, option);
    assert.match(error.message, expected);
    return true;
  });
}

describe('HandlerRegistry.register', () => {
  it('falls back to the module options', () => {
    const h = registry().register('a', {}, 'A.run', run);
    assert.equal(h.queue, 'main');
    assert.equal(h.maxAttempts, 4);
    assert.deepEqual(h.backoff, { baseMs: 10, factor: 2, maxMs: 3_600_000, jitter: 0.2 });
    assert.equal(h.timeoutMs, null);
  });

  it('lets handler options override the module options', () => {
    const h = registry().register('a', { maxAttempts: 1, queue: 'mail', backoff: { factor: 3 }, timeoutMs: 500 }, 'A.run', run);
    assert.equal(h.queue, 'mail');
    assert.equal(h.maxAttempts, 1);
    assert.deepEqual(h.backoff, { baseMs: 10, factor: 3, maxMs: 3_600_000, jitter: 0.2 });
    assert.equal(h.timeoutMs, 500);
  });

  it('names both providers when two handlers claim one name', () => {
    const r = registry();
    r.register('send', {}, 'Mailer.send', run);
    assert.throws(
      () => r.register('send', {}, 'Other.deliver', run),
      (error: unknown) => {
        assert.ok(error instanceof DuplicateHandlerError);
        assert.equal(error.taskName, 'send');
        assert.equal(error.first, 'Mailer.send');
        assert.equal(error.second, 'Other.deliver');
        assert.match(error.message, /Task "send" has two handlers: Mailer\.send and Other\.deliver/);
        return true;
      },
    );
    assert.deepEqual(r.names(), ['send']);
  });

  it('rejects invalid handler options naming the handler and the field', () => {
    rejects(() => registry().register('a', { maxAttempts: 0 }, 'A.run', run), '@TaskHandler("a").maxAttempts', /an integer from 1 to 1000/);
    rejects(() => registry().register('a', { queue: 'has space' }, 'A.run', run), '@TaskHandler("a").queue', /letters, digits/);
    rejects(() => registry().register('a', { backoff: { factor: 0.5 } }, 'A.run', run), '@TaskHandler("a").backoff.factor', /a number from 1 to 100/);
    rejects(() => registry().register('a', { retries: 3 } as never, 'A.run', run), '@TaskHandler("a").retries', /one of the known options \(maxAttempts, backoff, queue, timeoutMs, cron, timezone\)/);
    rejects(() => registry().register('', {}, 'A.run', run), '@TaskHandler("") name', /a non-empty string/);
  });

  it('lists names sorted', () => {
    const r = registry();
    for (const n of ['b', 'c', 'a']) r.register(n, {}, `X.${n}`, run);
    assert.deepEqual(r.names(), ['a', 'b', 'c']);
    assert.equal(r.size, 3);
  });
});
