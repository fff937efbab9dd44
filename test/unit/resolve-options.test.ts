import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, resolveOptions } from '../../lib/index.js';

function rejects(input: unknown, option: string, expected: RegExp): void {
  assert.throws(
    () => resolveOptions(input as never),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
      assert.equal(error.option, option);
      assert.match(error.message, new RegExp(`Invalid option "${option.replace(/[.[\]]/g, '\\$&')}"`));
      assert.match(error.message, expected);
      return true;
    },
  );
}

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions();
    assert.equal(o.concurrency, 10);
    assert.deepEqual(o.queues, ['default']);
    assert.equal(o.queueSlots, null);
    assert.equal(o.defaultQueue, 'default');
    assert.equal(o.pollIntervalMs, 1000);
    assert.equal(o.maxAttempts, 3);
    assert.deepEqual(o.backoff, { baseMs: 1000, factor: 2, maxMs: 3_600_000, jitter: 0.2 });
    assert.equal(o.autoStart, true);
    assert.equal(o.stopWhenEmpty, false);
    assert.equal(o.shutdownTimeoutMs, 30_000);
    assert.equal(o.tablePrefix, 'async_runner_');
    assert.equal(o.allowUnknownTasks, false);
    assert.equal(o.leaseMs, 30_000);
    assert.equal(o.leaseRenewIntervalMs, 10_000);
    assert.equal(o.maxPayloadBytes, 65_535);
    assert.match(o.workerId, /^.+:\d+:[0-9a-f]{8}$/);
  });

  it('merges a partial backoff over the defaults', () => {
    assert.deepEqual(resolveOptions({ backoff: { baseMs: 50 } }).backoff, { baseMs: 50, factor: 2, maxMs: 3_600_000, jitter: 0.2 });
  });

  it('gives each queue of an object its own slots and sums them as concurrency', () => {
    const o = resolveOptions({ queues: { emails: 5, reports: 1 } });
    assert.deepEqual(o.queues, ['emails', 'reports']);
    assert.deepEqual(o.queueSlots, { emails: 5, reports: 1 });
    assert.equal(o.concurrency, 6);
  });

  it('rejects each invalid value naming the option and the accepted values', () => {
    rejects({ concurrency: 0 }, 'concurrency', /an integer from 1 to 1000, received 0/);
    rejects({ concurrency: 2.5 }, 'concurrency', /an integer from 1 to 1000/);
    rejects({ pollIntervalMs: 'x' }, 'pollIntervalMs', /an integer from 10 to 2147483647, received "x"/);
    rejects({ maxAttempts: 0 }, 'maxAttempts', /an integer from 1 to 1000/);
    rejects({ backoff: { factor: 0.5 } }, 'backoff.factor', /a number from 1 to 100, received 0.5/);
    rejects({ backoff: { baseMs: 0 } }, 'backoff.baseMs', /a number above 0/);
    rejects({ backoff: { jitter: 2 } }, 'backoff.jitter', /a number from 0 to 1/);
    rejects({ backoff: { baseMs: 500, maxMs: 100 } }, 'backoff.maxMs', /at least baseMs \(500\)/);
    rejects({ backoff: { base: 5 } }, 'backoff.base', /one of the known options \(baseMs, factor, maxMs, jitter\)/);
    rejects({ concurency: 5 }, 'concurency', /one of the known options \(concurrency, queues,/);
    rejects({ queues: [] }, 'queues', /a non-empty list of queue names, or an object of queue name to slots/);
    rejects({ queues: 'default' }, 'queues', /a non-empty list of queue names, or an object of queue name to slots/);
    rejects({ queues: {} }, 'queues', /a non-empty list/);
    rejects({ queues: ['ok', 'not ok'] }, 'queues[1]', /letters, digits or _ \. : - \//);
    rejects({ queues: { a: 0 } }, 'queues.a', /an integer from 1 to 1000/);
    rejects({ autoStart: 'yes' }, 'autoStart', /true or false/);
    rejects({ stopWhenEmpty: 1 }, 'stopWhenEmpty', /true or false/);
    rejects({ shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs', /an integer from 0/);
    rejects({ tablePrefix: 'drop table;' }, 'tablePrefix', /a SQL identifier prefix/);
    rejects({ leaseMs: 5000, leaseRenewIntervalMs: 5000 }, 'leaseRenewIntervalMs', /below leaseMs \(5000\)/);
    rejects({ maxPayloadBytes: 1 }, 'maxPayloadBytes', /an integer from 16/);
    rejects({ workerId: '' }, 'workerId', /a non-empty string/);
  });

  it('rejects options that are not an object', () => {
    rejects(null, 'options', /an object/);
    rejects([], 'options', /an object/);
  });
});
