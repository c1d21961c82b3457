/**
 * Memoises a derived value per run trace and key, outside React. React discards the
 * memo cache of a render it abandons (a deferred render interrupted by a newer live
 * batch), so heavy timeline maths is cached here, where an abandoned render's work is
 * kept and reused.
 */
const caches = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();

export function cachedFor<T>(owner: object, name: string, key: unknown, compute: () => T): T {
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  const hit = cache.get(name);
  if (hit && hit.key === key) return hit.value as T;
  const value = compute();
  cache.set(name, { key, value });
  return value;
}
