import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError, InvalidPayloadError } from '../../lib/index.js';
import { serializeJson } from '../../lib/queue/serialize-json.js';
import { buildNewTask } from '../../lib/queue/build-new-task.js';
import { HandlerRegistry } from '../../lib/handlers/handler-registry.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { createTestApp } from '../helpers/test-app.js';

describe('enqueue input faults', () => {
  it('a payload nested deeper than the stack is an InvalidPayloadError, not a RangeError', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.throws(() => serializeJson(deep, 16 * 1024 * 1024), (e: unknown) => {
      assert.ok(e instanceof InvalidPayloadError);
      assert.equal(e.path, '$');
      assert.equal(e.reason, 'nested too deeply to serialise');
      return true;
    });
  });

  it('an enqueueMany item may not carry its own em (the batch takes one)', () => {
    const config = resolveOptions({});
    const registry = new HandlerRegistry(config);
    registry.register('job', {}, 'Jobs.job', () => undefined);
    registry.markDiscovered();
    assert.throws(() => buildNewTask('job', {}, { em: {} } as never, registry, config, true), (e: unknown) => {
      assert.ok(e instanceof InvalidOptionError);
      assert.equal(e.option, 'em');
      return true;
    });
  });

  it('enqueue of a name that is not a string, and enqueueMany with an unknown option, name the bad value', async () => {
    const t = await createTestApp({ kind: 'sqlite' });
    try {
      await assert.rejects(t.queue.enqueue(42 as never), /Invalid option "name": expected .*, received 42\./);
      await assert.rejects(t.queue.enqueueMany([], { foo: 1 } as never), (e: unknown) => {
        assert.ok(e instanceof InvalidOptionError);
        assert.equal(e.option, 'foo');
        return true;
      });
    } finally {
      await t.close();
    }
  });
});
