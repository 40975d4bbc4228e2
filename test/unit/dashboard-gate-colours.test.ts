/**
 * Panels agree with gates. For every gate of every golden case, values just below, exactly at and
 * just above each threshold get the colour on the gate panel that `migobs gate` (classify in
 * src/live/gate.ts) gives them: green = proceed, orange = pause, red = rollback.
 *
 * The colour is computed as Grafana computes it: the first step's `null` is read as -Infinity
 * (fixThresholds in public/app/features/panel/state or grafana-data's field overrides: "First value
 * is always -Infinity, JSON saves it as null"), the steps are sorted ascending (sortThresholds), and
 * the active step is the last one whose value is <= the value (getActiveThreshold in
 * packages/grafana-data/src/field/thresholds.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLOR, nextDown, nextUp, thresholdOfStep } from '../../src/generate/dashboard/thresholds';
import { generateMigration } from '../../src/generate/index';
import { gatePanelIds } from '../../src/generate/panel-ids';
import { classify, type GateState } from '../../src/live/gate';
import type { ResolvedGate } from '../../src/model/types';
import { loadDefinitions } from '../../src/pipeline';
import { REPO } from '../helpers/cli';

interface Step {
  value: number | null;
  color: string;
}

/** Grafana's colour for a value: -Infinity base, ascending steps, last step with value <= the value. */
function grafanaColour(value: number, steps: Step[]): string {
  const fixed = steps.map((s, i) => ({ value: i === 0 ? -Infinity : (s.value as number), color: s.color })).sort((a, b) => a.value - b.value);
  let active = fixed[0]!;
  for (const s of fixed) {
    if (value >= s.value) active = s;
    else break;
  }
  return active.color;
}

const COLOUR_OF: Record<Exclude<GateState, 'unknown'>, string> = { green: COLOR.proceed, pause: COLOR.pause, rollback: COLOR.rollback };

const definitions = ['examples', 'test/fixtures/golden'].flatMap((dir) =>
  readdirSync(join(REPO, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(REPO, dir, f)),
);
const loaded = loadDefinitions(definitions);

/** The steps of each gate panel in the dashboard migobs generates for the case (the golden bytes). */
function gatePanels(): Array<[string, ResolvedGate, Step[]]> {
  return loaded.migrations.flatMap((m) => {
    const dashboard = generateMigration(m.model)
      .filter((f) => f.path.endsWith('.json'))
      .map((f) => JSON.parse(f.content) as { uid?: string; panels?: Array<{ id: number; fieldConfig?: { defaults?: { thresholds?: { steps: Step[] } } } }> })
      .find((d) => d.uid === m.model.id)!;
    const ids = gatePanelIds(m.model);
    return m.model.gates.map((g): [string, ResolvedGate, Step[]] => [m.model.id, g, dashboard.panels!.find((p) => p.id === ids.get(g.id))!.fieldConfig!.defaults!.thresholds!.steps]);
  });
}

/** Values around each threshold: far below, the double just below, exactly at, the double just above, far above. */
function probes(g: ResolvedGate): Array<[string, number]> {
  const span = Math.abs(g.rollback - g.pause) / 2 || 1;
  return (['pause', 'rollback'] as const).flatMap((name) => {
    const t = g[name];
    return [
      [`${name} - ${span}`, t - span],
      [`just below ${name}`, nextDown(t)],
      [`at ${name}`, t],
      [`just above ${name}`, nextUp(t)],
      [`${name} + ${span}`, t + span],
    ] as Array<[string, number]>;
  });
}

const panels = gatePanels();
const TABLE = panels.flatMap(([id, g, steps]) =>
  probes(g).map(([label, value]) => {
    const state = classify(value, g).state as Exclude<GateState, 'unknown'>;
    return [`${id} ${g.id} (${g.direction} ${g.pause}/${g.rollback})`, label, value, state, steps] as const;
  }),
);

describe('gate panels colour a value as `migobs gate` classifies it', () => {
  it('covers every gate of every golden case', () => {
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(panels.length).toBe(loaded.migrations.reduce((n, m) => n + m.model.gates.length, 0));
    expect(panels.length).toBeGreaterThan(30);
    expect(new Set(panels.map(([, g]) => g.direction))).toEqual(new Set(['above', 'below']));
  });

  it.each(TABLE)('%s: %s (%d) is %s', (_gate, _label, value, state, steps) => {
    expect(grafanaColour(value, [...steps])).toBe(COLOUR_OF[state]);
  });

  it('a healthy 0 on a gate that pauses above 0 is green (the sampled-mismatch case)', () => {
    const mismatch = panels.find(([, g]) => g.direction === 'above' && g.pause === 0);
    expect(mismatch).toBeDefined();
    expect(classify(0, mismatch![1]).state).toBe('green');
    expect(grafanaColour(0, mismatch![2])).toBe(COLOR.proceed);
    expect(grafanaColour(Number.MIN_VALUE, mismatch![2])).toBe(COLOR.pause);
  });
});

describe('the Grafana colour model of this test', () => {
  it.each([
    // Steps at the thresholds themselves colour the threshold value: what the gate must not do.
    [10, [{ value: null, color: 'green' }, { value: 10, color: 'orange' }], 'orange'],
    [9.99, [{ value: null, color: 'green' }, { value: 10, color: 'orange' }], 'green'],
    // A base step of null is -Infinity, not 0.
    [-5, [{ value: null, color: 'red' }, { value: 0, color: 'green' }], 'red'],
    // Unsorted steps are sorted first.
    [7, [{ value: null, color: 'green' }, { value: 9, color: 'red' }, { value: 5, color: 'orange' }], 'orange'],
  ] as Array<[number, Step[], string]>)('%d with %j is %s', (value, steps, colour) => {
    expect(grafanaColour(value, steps)).toBe(colour);
  });
});

describe('nextUp / thresholdOfStep', () => {
  it.each([
    [0, 5e-324],
    [10, 10.000000000000002],
    [0.001, 0.0010000000000000002],
    [-1, -0.9999999999999999],
    [1e308, 1.0000000000000002e308],
  ])('nextUp(%d) = %d, with no double between', (x, up) => {
    expect(nextUp(x)).toBe(up);
    expect(nextDown(up)).toBe(x);
    expect(x < up).toBe(true);
  });

  it('a step written by migobs reads back as its threshold; a hand-edited one as it is', () => {
    expect(thresholdOfStep('above', nextUp(10), 10)).toBe(10);
    expect(thresholdOfStep('above', 30, 10)).toBe(30);
    // Written by migobs for 10 while the definition now says 11: read back as 10.
    expect(thresholdOfStep('above', nextUp(10), 11)).toBe(10);
    expect(thresholdOfStep('above', nextUp(0.05), 0.1)).toBe(0.05);
    expect(thresholdOfStep('below', 0.15, 0.15)).toBe(0.15);
  });
});
