import type { INestApplicationContext } from '@nestjs/common';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';

/**
 * Wraps one method of the app's real dialect to observe calls (the SQL still runs against the
 * real database): `onCall` sees each call as it starts (and may hold it by returning a promise),
 * `onSettle` sees it end.
 */
export function probeDialect<K extends keyof Dialect>(
  app: INestApplicationContext,
  method: K,
  hooks: { onCall?: (args: unknown[]) => void | Promise<void>; onSettle?: (args: unknown[], result: unknown) => void },
): () => void {
  const dialect = app.get<Dialect>(DIALECT);
  const original = dialect[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  (dialect as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    await hooks.onCall?.(args);
    try {
      const result = await original.apply(dialect, args);
      hooks.onSettle?.(args, result);
      return result;
    } catch (error) {
      hooks.onSettle?.(args, error);
      throw error;
    }
  };
  return () => void ((dialect as unknown as Record<string, unknown>)[method] = original);
}
