import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidOptionError, InvalidPayloadError, TaskHandler } from '../../lib/index.js';
import { serializeJson } from '../../lib/queue/serialize-json.js';
import { buildNewTask } from '../../lib/queue/build-new-task.js';
import { HandlerRegistry } from '../../lib/handlers/handler-registry.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp } from '../helpers/test-app.js';

@Injectable()
class Jobs {
  @TaskHandler('job')
  job() {}
}

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

  it('a payload or option whose getter throws is refused with the typed error, naming it, and nothing is written', async () => {
    const t = await createTestApp({ kind: 'sqlite', providers: [Jobs] });
    const boom = new Error('boom');
    const payload = { user: { get email(): string { throw boom; } } };
    const options = { get priority(): number { throw boom; } };
    const payloadRefused = (prefix: string) => (e: unknown) => {
      assert.ok(e instanceof InvalidPayloadError, String(e));
      assert.equal(e.path, '$.user.email');
      assert.equal(e.cause, boom);
      assert.equal(e.message, `${prefix}Task payload is not plain JSON at $.user.email: reading it threw Error: boom`);
      return true;
    };
    const optionRefused = (prefix: string) => (e: unknown) => {
      assert.ok(e instanceof InvalidOptionError, String(e));
      assert.equal(e.option, 'priority');
      assert.equal(e.cause, boom);
      assert.equal(e.message, `${prefix}Invalid option "priority": expected a readable value (reading it threw), received Error: boom.`);
      return true;
    };
    try {
      await assert.rejects(t.queue.enqueue('job', payload), payloadRefused(''));
      await assert.rejects(t.queue.enqueueMany([{ name: 'job' }, { name: 'job', payload }]), payloadRefused('enqueueMany item 1: '));
      await assert.rejects(t.queue.enqueue('job', {}, options), optionRefused(''));
      await assert.rejects(t.queue.enqueueMany([{ name: 'job' }, { name: 'job' }, { name: 'job', options }]), optionRefused('enqueueMany item 2: '));
      assert.equal(await countTasks(t.orm), 0);
    } finally {
      await t.close();
    }
  });
});
