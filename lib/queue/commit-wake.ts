import { MikroORM, type EventSubscriber, type TransactionEventArgs } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { WakeBus } from '../worker/wake-bus.js';

/**
 * Defers the in-process wake of an enqueue made inside the caller's transaction until that
 * transaction commits: woken earlier, the runner would look before the row is visible and
 * wait for the next poll. A rollback drops the wake. Hooked into MikroORM's transaction
 * events, so it follows `em.transactional` and explicit `em.begin()/commit()` alike.
 */
@Injectable()
export class CommitWake {
  private readonly pending = new WeakMap<object, Set<string>>();
  private readonly afterOuterCommit = new Set<string>();

  constructor(orm: MikroORM, private readonly wake: WakeBus) {
    const subscriber: EventSubscriber = {
      afterTransactionCommit: (args) => this.settle(args, true),
      afterTransactionRollback: (args) => this.settle(args, false),
    };
    orm.em.getEventManager().registerSubscriber(subscriber);
  }

  /** Wakes runners of `queue` once the transaction `ctx` commits. */
  afterCommit(ctx: object, queue: string): void {
    const queues = this.pending.get(ctx) ?? new Set<string>();
    queues.add(queue);
    this.pending.set(ctx, queues);
  }

  private settle(args: TransactionEventArgs, committed: boolean): void {
    const ctx = args.transaction as object | undefined;
    // Releasing a savepoint (a nested transactional()) commits nothing yet, and its event does not
    // name the outer transaction: its queues are woken at the next outermost commit instead. A
    // wake for a transaction that then rolls back only costs one empty claim.
    const savepoint = ctx !== undefined && 'savepointName' in ctx;
    if (committed && !savepoint && this.afterOuterCommit.size > 0) {
      for (const q of this.afterOuterCommit) this.wake.notify(q);
      this.afterOuterCommit.clear();
    }
    const queues = ctx && this.pending.get(ctx);
    if (!queues) return;
    this.pending.delete(ctx);
    if (!committed) return;
    for (const q of queues) {
      if (savepoint) this.afterOuterCommit.add(q);
      else this.wake.notify(q);
    }
  }
}
