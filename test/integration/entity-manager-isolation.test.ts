import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { EntitySchema, MikroORM, type EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { TaskHandler, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

/** A tiny host entity, as an app's own table. */
class Counter {
  id!: number;
  value!: number;
}

const CounterSchema = new EntitySchema<Counter>({
  class: Counter,
  tableName: 'test_counter',
  properties: {
    id: { type: 'number', primary: true },
    value: { type: 'integer' },
  },
});

@Injectable()
class Reader {
  seen: { em: EntityManager; managedAtStart: number; value: number; sameAsGlobal: boolean }[] = [];
  constructor(private readonly orm: MikroORM) {}

  @TaskHandler('read-counter')
  async read(_payload: unknown, ctx: TaskContext) {
    const managedAtStart = ctx.em.getUnitOfWork().getIdentityMap().values().length;
    // Loading puts the entity in this fork's identity map; the next task must not inherit it.
    const counter = await ctx.em.findOneOrFail(Counter, 1);
    this.seen.push({ em: ctx.em, managedAtStart, value: counter.value, sameAsGlobal: ctx.em === this.orm.em });
    return counter.value;
  }

  @TaskHandler('bump-counter')
  async bump(_payload: unknown, ctx: TaskContext) {
    const counter = await ctx.em.findOneOrFail(Counter, 1);
    counter.value += 100;
    await ctx.em.flush();
    return counter.value;
  }
}

eachDatabase('EntityManager isolation', (kind) => {
  let t: TestApp;
  let reader: Reader;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Reader], entities: [CounterSchema], runner: { concurrency: 1 } });
    reader = t.app.get(Reader);
    const em = t.orm.em.fork();
    em.create(Counter, { id: 1, value: 1 });
    await em.flush();
  });
  afterEach(() => t.close());

  it('gives each handler its own fork with an empty identity map, seeing changes committed since the last task', async () => {
    const first = await t.queue.enqueue('read-counter');
    await within(t.runner.runUntilEmpty(), 10_000, 'first task');

    // Committed by another EntityManager between the two tasks.
    const other = t.orm.em.fork();
    const counter = await other.findOneOrFail(Counter, 1);
    counter.value = 2;
    await other.flush();

    const second = await t.queue.enqueue('read-counter');
    await within(t.runner.runUntilEmpty(), 10_000, 'second task');

    assert.equal(reader.seen.length, 2);
    const [a, b] = reader.seen as [(typeof reader.seen)[0], (typeof reader.seen)[0]];
    assert.notEqual(a.em, b.em, 'each attempt gets its own EntityManager');
    assert.equal(a.sameAsGlobal, false);
    assert.equal(b.sameAsGlobal, false);
    assert.equal(a.managedAtStart, 0);
    assert.equal(b.managedAtStart, 0, 'the previous task loaded Counter 1 into its fork; this fork starts empty');
    assert.equal(a.value, 1);
    assert.equal(b.value, 2, 'the handler sees the change committed by another EntityManager');
    assert.equal((await t.queue.get(first.id))?.result, 1);
    assert.equal((await t.queue.get(second.id))?.result, 2);
    assert.equal(a.em.getUnitOfWork().getIdentityMap().values().length, 1, "the first fork kept its own entity, not shared with the second");
  });

  it('sees what a previous task committed through its own fork', async () => {
    await t.queue.enqueue('read-counter');
    await t.queue.enqueue('bump-counter', {}, { priority: -1 });
    await t.queue.enqueue('read-counter', {}, { priority: -2 });
    await within(t.runner.runUntilEmpty(), 10_000, 'three tasks');
    assert.deepEqual(reader.seen.map((s) => s.value), [1, 101]);
    assert.deepEqual(reader.seen.map((s) => s.managedAtStart), [0, 0]);
    assert.equal(t.orm.em.getUnitOfWork(false).getIdentityMap().values().length, 0, 'nothing leaked into the global EntityManager');
  });
});
