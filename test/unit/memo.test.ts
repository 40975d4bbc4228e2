/** boundedMemo and boundedCache (src/util/memo.ts): one computation per key, undefined results kept too, emptied when full. */
import { describe, expect, it } from 'vitest';
import { boundedCache, boundedMemo } from '../../src/util/memo';

describe('boundedMemo', () => {
  it('computes each key once and shares the result', () => {
    const calls: string[] = [];
    const f = boundedMemo(10, (k) => {
      calls.push(k);
      return { k };
    });
    const a = f('a');
    expect(f('a')).toBe(a);
    f('b');
    expect(calls).toEqual(['a', 'b']);
  });

  it('remembers undefined results (a "beyond the evaluator" answer is an answer)', () => {
    let n = 0;
    const f = boundedMemo(10, () => {
      n++;
      return undefined;
    });
    f('x');
    f('x');
    expect(n).toBe(1);
  });

  it('is emptied when it holds `limit` entries, so memory stays bounded', () => {
    let n = 0;
    const f = boundedMemo(2, (k) => {
      n++;
      return k;
    });
    f('a');
    f('b');
    f('c'); // full: emptied, then holds only c
    expect(n).toBe(3);
    f('c');
    expect(n).toBe(3);
    f('a');
    expect(n).toBe(4);
  });
});

describe('boundedCache', () => {
  it('gives back what was set, and nothing for a key never set', () => {
    const c = boundedCache<{ v: number }>(10);
    const one = { v: 1 };
    c.set('a', one);
    expect(c.get('a')).toBe(one);
    expect(c.get('b')).toBeUndefined();
  });

  it('holds at most `limit` entries: a new one pushes out the one used longest ago', () => {
    const c = boundedCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('b', 3); // a key it holds: replaced, nothing pushed out
    expect([c.get('a'), c.get('b')]).toEqual([1, 3]); // b used after a
    c.set('c', 4); // pushes out a
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 3, 4]);
    c.get('b'); // b used after c
    c.set('d', 5); // pushes out c
    expect([c.get('b'), c.get('c'), c.get('d')]).toEqual([3, undefined, 5]);
  });

  it('clear() forgets everything', () => {
    const c = boundedCache<number>(5);
    c.set('a', 1);
    c.clear();
    expect(c.get('a')).toBeUndefined();
  });
});
