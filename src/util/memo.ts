/**
 * Results of pure functions by a string key, bounded so that a run over many definitions does not
 * keep every result it ever made: one run asks for the same few results thousands of times (a
 * parse, a compiled regex, a gate value). Results are shared between callers, so they must never
 * be mutated.
 */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  clear(): void;
}

/**
 * At most `limit` entries; a new one pushes out the one used longest ago. For results some keys of
 * which are asked for all through a run (a gate every migration on one database has) while others
 * come and go (a gate on one migration's own metrics): emptying the whole cache when full would
 * drop the first kind with the second.
 */
export function boundedCache<V>(limit: number): BoundedCache<V> {
  const entries = new Map<string, V>(); // in the order last used: a Map iterates in insertion order
  return {
    get: (key) => {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set: (key, value) => {
      entries.delete(key);
      if (entries.size >= limit) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
    clear: () => entries.clear(),
  };
}

/** A pure function of a string key, memoised; emptied when it holds `limit` entries (every key is as likely as any other). */
export function boundedMemo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    if (memo.has(key)) return memo.get(key)!;
    const value = compute(key);
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
    return value;
  };
}
