/**
 * When a simulated alert fires (src/generate/rules/tests.ts firesAt, firingSteps): the rule-test
 * generator asks step by step, and only as far back as it must, while the lifecycle cases take
 * every step at once. Both must agree with each other and with Prometheus' own bookkeeping (an
 * alert is pending from the first evaluation that finds its condition true and fires once
 * `for` has passed since then), here written out as Prometheus does it, for every pattern of up
 * to ten steps.
 */
import { describe, expect, it } from 'vitest';
import { firesAt, firingSteps, STEP_SECONDS } from '../../src/generate/rules/tests';

/** Prometheus' way: remember when the condition became true; firing once `for` has elapsed. */
function prometheusFiring(held: readonly boolean[], forSeconds: number): boolean[] {
  let activeAt: number | undefined;
  return held.map((h, i) => {
    if (!h) {
      activeAt = undefined;
      return false;
    }
    activeAt ??= i;
    return (i - activeAt) * STEP_SECONDS >= forSeconds;
  });
}

const patterns = (n: number): boolean[][] => Array.from({ length: 2 ** n }, (_, bits) => Array.from({ length: n }, (_, i) => ((bits >> i) & 1) === 1));

describe('simulated alert firing', () => {
  it.each([0, 30, 60, 90, 120, 240])('for %ss: step by step, all at once and as Prometheus counts agree on every pattern of up to 10 steps', (forSeconds) => {
    const hold = Math.ceil(forSeconds / STEP_SECONDS);
    let compared = 0;
    for (let n = 0; n <= 10; n++) {
      for (const held of patterns(n)) {
        const want = prometheusFiring(held, forSeconds);
        expect(firingSteps(held, hold)).toEqual(want);
        for (let i = 0; i < n; i++) {
          expect(firesAt((j) => held[j]!, hold, i)).toBe(want[i]);
          compared++;
        }
      }
    }
    expect(compared).toBe(18_434); // sum of n * 2^n for n = 0..10: every step of every pattern
  });

  it('asks about no step earlier than it must', () => {
    const asked: number[] = [];
    const holds = (j: number): boolean => {
      asked.push(j);
      return j !== 5;
    };
    expect(firesAt(holds, 3, 9)).toBe(true);
    expect(asked).toEqual([9, 8, 7, 6]);
    asked.length = 0;
    expect(firesAt(holds, 3, 7)).toBe(false);
    expect(asked).toEqual([7, 6, 5]);
  });
});
