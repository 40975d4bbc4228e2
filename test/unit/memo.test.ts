/** boundedMemo (src/util/memo.ts): one computation per key, undefined results kept too, emptied when full. */
import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/util/memo';

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
