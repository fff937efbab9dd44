import { MikroORM, type EventSubscriber, type TransactionEventArgs } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { WakeBus } from '../worker/wake-bus.js';

/** Something that waits for a commit; `within` lists the savepoints it was made in, innermost first. */
interface Deferred {
  queue?: string;
  action?: () => void;
  within: readonly object[];
}

/**
 * Defers what an enqueue (or cancel) inside the caller's transaction tells this process —
 * waking the runner, aborting a handler, emitting an event — until that transaction commits:
 * woken earlier, the runner would look before the row is visible and wait for the next poll;
 * a cancel that rolls back must not have aborted anything. A rollback drops it all. Hooked into
 * MikroORM's transaction events, so it follows `em.transactional` and explicit
 * `em.begin()/commit()` alike. Inside a savepoint (a nested transaction) it waits for the
 * outermost commit, and is dropped if that savepoint rolls back. (Savepoints are tracked from
 * the start events because MikroORM's MySQL driver sends no commit event when one is released.)
 */
@Injectable()
export class CommitWake {
  /** Outermost transaction → what waits for its commit. */
  private readonly pending = new WeakMap<object, Deferred[]>();
  /** Savepoint transaction → the transaction it was opened in. */
  private readonly parents = new WeakMap<object, object>();
  /** EntityManager fork → the transaction its savepoint is being opened in (between the start events). */
  private readonly opening = new WeakMap<object, object>();
  private readonly rolledBack = new WeakSet<object>();

  constructor(orm: MikroORM, private readonly wake: WakeBus) {
    const subscriber: EventSubscriber = {
      // Both start events of one begin() carry the same fork: it links the savepoint to its parent
      // even while other transactions start in between.
      beforeTransactionStart: (args) => {
        if (args.transaction) this.opening.set(args.em, args.transaction);
      },
      afterTransactionStart: (args) => {
        const parent = this.opening.get(args.em);
        if (!parent) return;
        this.opening.delete(args.em);
        if (args.transaction && args.transaction !== parent) this.parents.set(args.transaction, parent);
      },
      afterTransactionCommit: (args) => this.settle(args, true),
      afterTransactionRollback: (args) => this.settle(args, false),
    };
    orm.em.getEventManager().registerSubscriber(subscriber);
  }

  /** Wakes runners of `queue` once the transaction `ctx` commits. */
  afterCommit(ctx: object, queue: string): void {
    this.defer(ctx, { queue, within: [] });
  }

  /** Runs `action` once the transaction `ctx` commits; never when it rolls back. */
  onCommit(ctx: object, action: () => void): void {
    this.defer(ctx, { action, within: [] });
  }

  private defer(ctx: object, item: Deferred): void {
    const within: object[] = [];
    let root = ctx;
    for (let parent = this.parents.get(root); parent; parent = this.parents.get(root)) {
      within.push(root);
      root = parent;
    }
    let list = this.pending.get(root);
    if (!list) this.pending.set(root, (list = []));
    list.push(within.length ? { ...item, within } : item);
  }

  private settle(args: TransactionEventArgs, committed: boolean): void {
    const ctx = args.transaction as object | undefined;
    if (!ctx) return;
    if (this.parents.has(ctx)) {
      // A savepoint: released, its work waits for the outermost commit; rolled back, it is dropped.
      if (!committed) this.rolledBack.add(ctx);
      return;
    }
    const list = this.pending.get(ctx);
    if (!list) return;
    this.pending.delete(ctx);
    if (!committed) return;
    const queues = new Set<string>();
    for (const item of list) {
      if (item.within.some((sp) => this.rolledBack.has(sp))) continue;
      if (item.queue !== undefined) queues.add(item.queue);
      else item.action?.();
    }
    for (const q of queues) this.wake.notify(q);
  }
}
