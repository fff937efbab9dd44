import type { LoggerService } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** A method found carrying a decorator's metadata. */
export interface DecoratedMethod<Meta> {
  meta: Meta;
  /** `ProviderClass.method`, for error messages and logs. */
  owner: string;
  /** The method bound to its provider instance. */
  fn: (...args: never[]) => unknown;
}

/**
 * Walks every provider's methods for `metadataKey` (set by one of our method decorators) and
 * hands each match to `visit`. Request- and transient-scoped providers have no instance to
 * call outside a request, so their methods are skipped with a warning rather than silently.
 */
export function scanDecoratedMethods<Meta>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  metadataKey: string,
  what: string,
  logger: LoggerService,
  visit: (method: DecoratedMethod<Meta>) => void,
): void {
  // A provider exposed under a second token (`useExisting`) appears once per token, with the
  // same instance: registered twice it would clash with itself or hear every event twice.
  const seen = new Set<object>();
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
    seen.add(instance);
    const proto = Object.getPrototypeOf(instance) as object | null;
    if (!proto) continue;
    for (const method of scanner.getAllMethodNames(proto)) {
      const fn = instance[method];
      if (typeof fn !== 'function') continue;
      const meta = Reflect.getMetadata(metadataKey, fn) as Meta | undefined;
      if (meta === undefined) continue;
      const owner = `${instance.constructor?.name ?? 'provider'}.${method}`;
      // A transient provider's tree counts as static, but its `instance` is a prototype Nest
      // never constructed (no injected dependencies); each real instance belongs to a consumer.
      if (wrapper.isTransient || !wrapper.isDependencyTreeStatic()) {
        logger.warn(`${owner} is request- or transient-scoped; ${what} must be singletons. Skipped.`);
        continue;
      }
      visit({ meta, owner, fn: (fn as (...a: never[]) => unknown).bind(instance) });
    }
  }
}
