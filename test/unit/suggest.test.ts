/**
 * closest / didYouMean (src/util/suggest.ts): the "did you mean" of every refusal and of lint's
 * unknown-metric check. closest skips candidates whose length alone puts them past the limit; the
 * answers must be exactly those of comparing every candidate (the reference below).
 */
import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from '../../src/util/suggest';

/** The plain definition: every candidate's edit distance, the first smallest within the limit. */
function reference(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    if (Math.abs(a.length - b.length) > 8) return 99;
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const s = distance(word.toLowerCase(), c.toLowerCase());
    if (s < bestScore) {
      bestScore = s;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return best !== undefined && bestScore <= limit ? best : undefined;
}

describe('closest', () => {
  it.each([
    ['backfil', ['backfill', 'dual-write', 'cutover'], 'backfill'],
    ['folders', ['folder', 'outDir'], 'folder'],
    ['pg_replication_lag', ['pg_replication_lag_seconds', 'pg_up'], undefined],
    ['pg_stat_activty_count', ['pg_stat_activity_count', 'pg_stat_activity_max_tx_duration'], 'pg_stat_activity_count'],
    ['x', ['y', 'xy', 'abc'], 'y'],
    ['İd', ['id', 'İd'], 'İd'],
    // Within the limit (10 for 30 characters) but 9 characters shorter: never suggested.
    ['a'.repeat(30), ['a'.repeat(21)], undefined],
    ['a'.repeat(30), ['a'.repeat(22)], 'a'.repeat(22)],
    // Lower-cased, İ is two characters: lengths are compared as the distance sees them.
    ['\u0130\u0130\u0130', ['i\u0307i\u0307i\u0307'], 'i\u0307i\u0307i\u0307'],
  ])('%s among %j: %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
    expect(reference(word, candidates)).toBe(expected);
  });

  it('gives the same answer as comparing every candidate, on random words and lists', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = 'abcdeXYZ_İı';
    const word = (): string => Array.from({ length: 1 + rand(14) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 3000; round++) {
      const w = word();
      const list = Array.from({ length: rand(12) }, () => (rand(4) === 0 ? w.slice(0, rand(w.length + 1)) + word().slice(0, rand(4)) : word()));
      expect(closest(w, list), `${w} among ${JSON.stringify(list)}`).toBe(reference(w, list));
    }
  });

  it('didYouMean words it, or says nothing', () => {
    expect(didYouMean('backfil', ['backfill'])).toBe(' (did you mean `backfill`?)');
    expect(didYouMean('zzzzzz', ['backfill'])).toBe('');
  });
});
