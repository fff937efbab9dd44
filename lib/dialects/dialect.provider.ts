import { MikroORM } from '@mikro-orm/core';
import type { Provider } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../async-runner.constants.js';
import { tableNames } from '../entities/define-entities.js';
import { AsyncStop } from '../entities/async-stop.entity.js';
import { Task } from '../entities/task.entity.js';
import { ConfigMismatchError } from '../errors/config-mismatch.error.js';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import type { Dialect } from './dialect.js';
import { resolveDialect } from './resolve-dialect.js';

/** Injection token of the {@link Dialect} chosen for the host's ORM. */
export const DIALECT = Symbol('nest-async-runner:dialect');

/** Fails at startup, not at the first enqueue, when the entities are missing or prefixed differently. */
function checkEntities(orm: MikroORM, prefix: string): void {
  const expected = tableNames(prefix);
  for (const [entity, table, label] of [[Task, expected.task, 'Task'], [AsyncStop, expected.stop, 'AsyncStop']] as const) {
    const meta = orm.getMetadata().find(entity as never);
    if (!meta) {
      throw new ConfigMismatchError(
        `The ${label} entity is not registered with MikroORM. Add ASYNC_RUNNER_ENTITIES (or asyncRunnerEntities({ tablePrefix })) to the ORM's entities.`,
      );
    }
    if (meta.tableName !== table) {
      throw new ConfigMismatchError(
        `The ${label} entity maps to table "${meta.tableName}" but AsyncRunnerModule expects "${table}" (tablePrefix "${prefix}"). ` +
          'Pass the same tablePrefix to asyncRunnerEntities() and AsyncRunnerModule.forRoot().',
      );
    }
  }
}

/**
 * MySQL/MariaDB have no partial indexes: MikroORM refuses to generate them there (MariaDB) or
 * cannot combine them with the claim index's sort order (MySQL). Say which schemas to register.
 */
function checkNoPartialIndexes(orm: MikroORM): void {
  const meta = orm.getMetadata().find(Task as never);
  if ([...(meta?.indexes ?? []), ...(meta?.uniques ?? [])].some((index) => index.where !== undefined)) {
    throw new ConfigMismatchError(
      'The Task entity was registered with partial indexes, which MySQL and MariaDB do not have. ' +
        "Register asyncRunnerEntities({ partialIndexes: false }) (with your tablePrefix, if any) instead of ASYNC_RUNNER_ENTITIES.",
    );
  }
}

export const dialectProvider: Provider = {
  provide: DIALECT,
  inject: [MikroORM, RESOLVED_OPTIONS],
  useFactory: async (orm: MikroORM, options: ResolvedAsyncRunnerOptions): Promise<Dialect> => {
    checkEntities(orm, options.tablePrefix);
    const dialect = resolveDialect(orm, options.tablePrefix);
    if (dialect.name === 'mysql') checkNoPartialIndexes(orm);
    // MySQL/MariaDB TEXT holds 65,535 bytes; a larger limit would let a value through
    // validation that the database then refuses.
    if (dialect.name === 'mysql' && options.maxPayloadBytes > 65_535) {
      throw new InvalidOptionError('maxPayloadBytes', 'at most 65535 on MySQL/MariaDB (the TEXT columns hold 65,535 bytes)', options.maxPayloadBytes);
    }
    await dialect.prepare();
    return dialect;
  },
};
