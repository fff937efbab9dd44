import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidOptionError, InvalidPayloadError, OversizedValueError, TaskHandler, UnknownTaskError } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Echo {
  received: unknown[] = [];
  next = deferred<unknown>();
  @TaskHandler('echo')
  echo(payload: unknown) {
    this.received.push(payload);
    this.next.resolve(payload);
    return payload;
  }
}

class Money {
  constructor(readonly cents: number) {}
}

eachDatabase('bad enqueue input', (kind) => {
  let t: TestApp;
  let echo: Echo;
  let rowsBefore: number;
  before(async () => {
    t = await createTestApp({ kind, providers: [Echo], runner: { maxPayloadBytes: 1000 } });
    echo = t.app.get(Echo);
    await t.runner.start();
  });
  after(() => t.close());

  /** After each bad input: nothing was written, and the running runner still runs a good task. */
  async function stillWorks(label: string): Promise<void> {
    assert.equal(await countTasks(t.orm), rowsBefore, `${label}: nothing written`);
    echo.next = deferred<unknown>();
    await t.queue.enqueue('echo', { after: label });
    assert.deepEqual(await within(echo.next.promise, 10_000, `a good task after ${label}`), { after: label });
    assert.equal(t.runner.status.state, 'running');
  }

  async function refused(label: string, call: () => Promise<unknown>, check: (error: unknown) => void): Promise<void> {
    rowsBefore = await countTasks(t.orm);
    await assert.rejects(call(), (error: unknown) => {
      check(error);
      return true;
    }, label);
    await stillWorks(label);
  }

  afterEach(() => assert.equal(t.runner.status.state, 'running'));

  it('unknown task name: UnknownTaskError', async () => {
    await refused('unknown name', () => t.queue.enqueue('nope', {}), (e) => {
      assert.ok(e instanceof UnknownTaskError);
      assert.equal(e.taskName, 'nope');
      assert.match(e.message, /Known tasks: "echo"/);
    });
  });

  it('non-JSON payloads: InvalidPayloadError naming the path', async () => {
    const circular: Record<string, unknown> = {};
    circular.me = circular;
    const cases: [string, unknown, string, RegExp][] = [
      ['BigInt', { a: { b: [1, 2n] } }, '$.a.b[1]', /BigInt/],
      ['circular', { a: { b: [circular] } }, '$.a.b[0].me', /circular reference/],
      ['function', { cb: () => 1 }, '$.cb', /functions cannot be stored/],
      ['symbol', { s: Symbol('x') }, '$.s', /symbols cannot be stored/],
      ['NaN', { n: NaN }, '$.n', /NaN is not a finite number/],
      ['Infinity', { list: [Infinity] }, '$.list[0]', /Infinity is not a finite number/],
      ['class instance', { price: new Money(5) }, '$.price', /instance of Money/],
      ['Map', { m: new Map() }, '$.m', /instance of Map/],
      // eslint-disable-next-line no-sparse-arrays
      ['sparse array', { a: [1, , 3] }, '$.a[1]', /sparse array hole/],
    ];
    for (const [label, payload, path, reason] of cases) {
      await refused(label, () => t.queue.enqueue('echo', payload), (e) => {
        assert.ok(e instanceof InvalidPayloadError, `${label}: ${String(e)}`);
        assert.equal(e.path, path, label);
        assert.match(e.reason, reason, label);
        assert.match(e.message, /^Task payload is not plain JSON at /, label);
      });
    }
  });

  it('oversized payload: OversizedValueError', async () => {
    await refused('oversized', () => t.queue.enqueue('echo', { text: 'x'.repeat(2000) }), (e) => {
      assert.ok(e instanceof OversizedValueError);
      assert.equal(e.what, 'payload');
      assert.equal(e.bytes, 2011);
      assert.equal(e.limit, 1000);
    });
  });

  it('invalid options: InvalidOptionError naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['maxAttempts 0', { maxAttempts: 0 }, 'maxAttempts'],
      ['maxAttempts 1.5', { maxAttempts: 1.5 }, 'maxAttempts'],
      ['maxAttempts string', { maxAttempts: '3' }, 'maxAttempts'],
      ['priority too high', { priority: 1_000_001 }, 'priority'],
      ['priority fraction', { priority: 0.5 }, 'priority'],
      ['runAt string', { runAt: '2030-01-01' }, 'runAt'],
      ['runAt invalid Date', { runAt: new Date('nope') }, 'runAt'],
      ['runAt with delayMs', { runAt: new Date(), delayMs: 5 }, 'runAt'],
      ['delayMs negative', { delayMs: -1 }, 'delayMs'],
      ['delayMs NaN', { delayMs: NaN }, 'delayMs'],
      ['queue with space', { queue: 'a queue' }, 'queue'],
      ['queue empty', { queue: '' }, 'queue'],
      ['unknown key', { prio: 5 }, 'prio'],
      ['em not an EntityManager', { em: { flush() {} } }, 'em'],
    ];
    for (const [label, options, field] of cases) {
      await refused(label, () => t.queue.enqueue('echo', {}, options as never), (e) => {
        assert.ok(e instanceof InvalidOptionError, `${label}: ${String(e)}`);
        assert.equal(e.option, field, label);
        assert.match(e.message, new RegExp(`^Invalid option "${field}": expected `), label);
      });
    }
  });

  it('enqueueMany validates every item before writing any', async () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ name: 'echo', payload: { i } as Record<string, unknown> }));
    items[5]!.payload = { i: 5, bad: 5n };
    await refused('enqueueMany item 5', () => t.queue.enqueueMany(items), (e) => {
      assert.ok(e instanceof InvalidPayloadError);
      assert.equal(e.path, '$.bad');
      assert.match(e.message, /^enqueueMany item 5: Task payload is not plain JSON at \$\.bad/);
    });
    const withBadOption = items.map((item, i) => (i === 7 ? { name: 'echo', options: { priority: 'high' } } : { name: 'echo', payload: { i } }));
    await refused('enqueueMany item 7 option', () => t.queue.enqueueMany(withBadOption as never), (e) => {
      assert.ok(e instanceof InvalidOptionError);
      assert.equal(e.option, 'priority');
      assert.match(e.message, /^enqueueMany item 7: Invalid option "priority"/);
    });
    await refused('enqueueMany unknown name', () => t.queue.enqueueMany([{ name: 'echo' }, { name: 'ghost' }]), (e) => {
      assert.ok(e instanceof UnknownTaskError);
      assert.match(e.message, /^enqueueMany item 1: /);
    });
  });

  it('enqueueMany refuses an item key other than name, payload and options, wherever the item is', async () => {
    const expected = 'enqueueMany item INDEX: Invalid option "option": expected one of the known options (name, payload, options), received {"priority":5}.';
    for (const index of [0, 3]) {
      const items: Record<string, unknown>[] = Array.from({ length: 5 }, (_, i) => ({ name: 'echo', payload: { i } }));
      items[index] = { name: 'echo', payload: 1, option: { priority: 5 } };
      await refused(`enqueueMany item ${index} misspelt options`, () => t.queue.enqueueMany(items as never), (e) => {
        assert.ok(e instanceof InvalidOptionError, String(e));
        assert.equal(e.option, 'option');
        assert.deepEqual(e.received, { priority: 5 });
        assert.equal(e.message, expected.replace('INDEX', String(index)));
      });
    }
  });

  it('stores Dates as ISO strings; the handler receives strings', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    echo.next = deferred<unknown>();
    const task = await t.queue.enqueue('echo', { at, list: [at] });
    const expected = { at: '2026-01-02T03:04:05.678Z', list: ['2026-01-02T03:04:05.678Z'] };
    assert.deepEqual(task.payload, expected);
    assert.deepEqual(await within(echo.next.promise, 10_000, 'the Date task'), expected);
    assert.deepEqual((await t.queue.get(task.id))?.payload, expected);
  });

  it('a NUL character in a unique key or a stop reason: InvalidOptionError (PostgreSQL cannot store it)', async () => {
    await refused('NUL in uniqueKey', () => t.queue.enqueue('echo', {}, { uniqueKey: 'a\u0000b' }), (e) => {
      assert.ok(e instanceof InvalidOptionError);
      assert.equal(e.option, 'uniqueKey');
      assert.match(e.message, /without NUL/);
    });
    rowsBefore = await countTasks(t.orm);
    const stopsBefore = await t.orm.em.fork().getConnection().execute('select count(*) as c from async_runner_stop');
    await assert.rejects(t.queue.requestStop('deploy\u0000'), (e: unknown) => e instanceof InvalidOptionError && e.option === 'reason');
    const stopsAfter = await t.orm.em.fork().getConnection().execute('select count(*) as c from async_runner_stop');
    assert.equal(Number(stopsAfter[0].c), Number(stopsBefore[0].c));
    await stillWorks('NUL in a stop reason');
  });
});
