import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandlerRegistry, InvalidOptionError, InvalidPayloadError, resolveOptions, UnknownTaskError } from '../../lib/index.js';
import { buildNewTask } from '../../lib/queue/build-new-task.js';

const config = resolveOptions({ maxAttempts: 4, defaultQueue: 'main' });
const registry = new HandlerRegistry(config);
registry.register('plain', {}, 'A.plain', () => null);
registry.register('mail', { queue: 'mail', maxAttempts: 7, timeoutMs: 900 }, 'A.mail', () => null);
registry.markDiscovered(); // as the explorer does at module init

function invalid(options: unknown, field: string): void {
  assert.throws(
    () => buildNewTask('plain', {}, options as never, registry, config),
    (e: unknown) => e instanceof InvalidOptionError && e.option === field,
    `${JSON.stringify(options)} should be refused naming ${field}`,
  );
}

describe('buildNewTask', () => {
  it('fills defaults from the module options', () => {
    assert.deepEqual(buildNewTask('plain', undefined, undefined, registry, config), {
      queue: 'main', name: 'plain', payload: 'null', priority: 0, runAt: null, delayMs: 0, maxAttempts: 4, timeoutMs: null, uniqueKey: null,
    });
  });

  it('fills defaults from the handler options, and enqueue options win', () => {
    const fromHandler = buildNewTask('mail', { to: 'a' }, {}, registry, config);
    assert.equal(fromHandler.queue, 'mail');
    assert.equal(fromHandler.maxAttempts, 7);
    assert.equal(fromHandler.timeoutMs, 900);
    const runAt = new Date(Date.now() + 1000);
    const overridden = buildNewTask('mail', { to: 'a' }, { queue: 'urgent', maxAttempts: 1, timeoutMs: 5, priority: -3, runAt, uniqueKey: 'k' }, registry, config);
    assert.deepEqual(overridden, { queue: 'urgent', name: 'mail', payload: '{"to":"a"}', priority: -3, runAt, delayMs: 0, maxAttempts: 1, timeoutMs: 5, uniqueKey: 'k' });
  });

  it('refuses unknown names unless allowUnknownTasks', () => {
    assert.throws(() => buildNewTask('ghost', {}, {}, registry, config), UnknownTaskError);
    const producer = resolveOptions({ allowUnknownTasks: true, maxAttempts: 2 });
    const row = buildNewTask('ghost', {}, {}, new HandlerRegistry(producer), producer);
    assert.equal(row.queue, 'default');
    assert.equal(row.maxAttempts, 2);
  });

  it('refuses bad payloads and bad options, naming them', () => {
    assert.throws(() => buildNewTask('plain', { x: [1n] }, {}, registry, config), (e: unknown) => e instanceof InvalidPayloadError && e.path === '$.x[0]');
    invalid({ maxAttempts: 0 }, 'maxAttempts');
    invalid({ maxAttempts: 1001 }, 'maxAttempts');
    invalid({ priority: '1' }, 'priority');
    invalid({ priority: -1_000_001 }, 'priority');
    invalid({ runAt: Date.now() }, 'runAt');
    invalid({ runAt: new Date(Date.now() + 11 * 365 * 24 * 3600 * 1000) }, 'runAt');
    invalid({ runAt: new Date(), delayMs: 1 }, 'runAt');
    invalid({ delayMs: 1.5 }, 'delayMs');
    invalid({ delayMs: 11 * 365 * 24 * 3600 * 1000 }, 'delayMs');
    invalid({ queue: 5 }, 'queue');
    invalid({ timeoutMs: 0 }, 'timeoutMs');
    invalid({ uniqueKey: 'x'.repeat(192) }, 'uniqueKey');
    invalid({ retries: 2 }, 'retries');
    invalid('fast', 'options');
    assert.throws(() => buildNewTask(42, {}, {}, registry, config), (e: unknown) => e instanceof InvalidOptionError && e.option === 'name');
  });
});
