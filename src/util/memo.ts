/**
 * A memo of a pure function of a string key, emptied when it holds `limit` entries: one run asks
 * for the same few results thousands of times (a parse, a compiled regex, a gate value), while a
 * run over many definitions must not keep every result it ever made. Results are shared between
 * callers, so they must never be mutated.
 */
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
