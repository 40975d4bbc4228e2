/**
 * Gate thresholds as Grafana threshold steps, so a panel colours a value exactly as `migobs gate`
 * and the alerts judge it.
 *
 * Grafana picks the colour of the last step whose value is <= the value (getActiveThreshold in
 * packages/grafana-data/src/field/thresholds.ts: `if (value >= threshold.value) active = threshold`),
 * so a step colours its own value. A gate is strict: `above` pauses only when the value is greater
 * than `pause`, and a value exactly at a threshold is green. For `above`, the pause and rollback
 * steps therefore sit at the next double after the threshold (10 -> 10.000000000000002,
 * 0 -> 5e-324): no double lies between, so every value at or below the threshold keeps the colour
 * below it. For `below`, the ascending steps already agree: a value at `pause` reaches the green
 * step, a value at `rollback` the pause step.
 *
 * Kept free of Markdown and SDK imports: `migobs lint` (drift) reads the steps back with it.
 */
import type { Direction } from '../../definition/types';

/** One colour per gate outcome, used by thresholds, mappings and the docs alike. */
export const COLOR = { proceed: 'green', pause: 'orange', rollback: 'red', unknown: 'purple' } as const;

/** A threshold step: from `value` upwards the colour applies (`null` = from minus infinity). */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

const view = new DataView(new ArrayBuffer(8));

/** The smallest double greater than `x` (Java's Math.nextUp). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** The largest double less than `x`. */
export const nextDown = (x: number): number => -nextUp(-x);

/** The first value a threshold step colours when the gate is past `threshold` (strictly). */
export function stepFor(direction: Direction, threshold: number): number {
  return direction === 'above' ? nextUp(threshold) : threshold;
}

/** The inverse of stepFor: the gate threshold a committed step stands for. */
export function thresholdOfStep(direction: Direction, step: number, expected?: number): number {
  if (direction === 'below') return step;
  // A step written by migobs reads back as its threshold; anything else (a hand edit, a file from
  // an older migobs) is reported as it is, which is what Grafana colours from.
  if (expected !== undefined && step === nextUp(expected)) return expected;
  // A step migobs wrote for another threshold (the definition changed since): that threshold, so a
  // drift message says `pause 10`, not `pause 10.000000000000002`.
  const written = nextDown(step);
  if (String(written).length < String(step).length) return written;
  return step;
}

/** Grafana's threshold steps are ascending, so a `below` gate starts red and turns green at pause. */
export function gateThresholds(gate: { direction: Direction; pause: number; rollback: number }): ThresholdStep[] {
  return gate.direction === 'below'
    ? [
        { value: null, color: COLOR.rollback },
        { value: stepFor('below', gate.rollback), color: COLOR.pause },
        { value: stepFor('below', gate.pause), color: COLOR.proceed },
      ]
    : [
        { value: null, color: COLOR.proceed },
        { value: stepFor('above', gate.pause), color: COLOR.pause },
        { value: stepFor('above', gate.rollback), color: COLOR.rollback },
      ];
}
