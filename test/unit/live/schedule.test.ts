/**
 * `migobs gate` outside spec.schedule: never proceed. Unknown (exit 4) with the reason "outside
 * the schedule", unless a gate is past rollback (exit 3: evidence of danger is never hidden).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GateReport } from '../../../src/live/gate';
import { outsideSchedule, scheduleAnswer } from '../../../src/live/schedule';
import { loadModel } from '../../../src/live/setup';
import { migobsAsync } from '../../helpers/services';
import { gateAnswers, startFake, type FakePrometheus } from '../../helpers/fake-prometheus';

const FIXTURE = readFileSync(join(__dirname, 'gate-fixture.yaml'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'migobs-schedule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The gate fixture with a schedule (inserted under spec). */
function scheduled(name: string, schedule: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, FIXTURE.replace('  scrapeInterval: 1s\n', `  scrapeInterval: 1s\n  schedule: ${schedule}\n`));
  return file;
}

const WINDOW = '{notBefore: "2027-01-12T21:00:00+01:00", notAfter: "2027-01-13T05:00:00+01:00"}';
const model = loadModel(scheduled('window', WINDOW));
const ms = (iso: string): number => Date.parse(iso);

const green: GateReport = {
  migrationId: 'gate-unit',
  phase: 'canary',
  phaseSource: 'prometheus',
  evaluated: 'phase',
  infos: [],
  tlsUnverified: false,
  gates: [{ gate: 'lag', title: 'lag', signal: 'lagSignal', direction: 'above', pause: 10, rollback: 60, phases: ['canary', 'ramp'], value: 1, state: 'green' }],
  state: 'green',
  exitCode: 0,
};
const withGate = (state: 'green' | 'pause' | 'rollback', overall: GateReport['state'], exitCode: number): GateReport => ({ ...green, gates: [{ ...green.gates[0]!, state }], state: overall, exitCode });

describe('outsideSchedule', () => {
  it.each([
    ['2027-01-12T19:59:59.999Z', 'outside the schedule: gate-unit may start at 2027-01-12T21:00:00+01:00 (2027-01-12T20:00:00Z); no alert watches it before then'],
    ['2027-01-12T20:00:00Z', undefined],
    ['2027-01-13T03:59:59Z', undefined],
    ['2027-01-13T04:00:00Z', 'outside the schedule: the window of gate-unit ended at 2027-01-13T05:00:00+01:00 (2027-01-13T04:00:00Z); no alert watches it any more'],
  ])('at %s: %s', (now, reason) => {
    expect(outsideSchedule(model, ms(now))).toBe(reason);
  });

  it('without a schedule, always inside', () => {
    expect(outsideSchedule(loadModel(join(__dirname, 'gate-fixture.yaml')), 0)).toBeUndefined();
  });
});

describe('scheduleAnswer', () => {
  const before = ms('2027-01-01T00:00:00Z');
  it('inside the schedule the answer is unchanged', () => {
    const r = withGate('pause', 'pause', 2);
    expect(scheduleAnswer(model, r, ms('2027-01-12T22:00:00Z'))).toBe(r);
  });
  it.each([
    [withGate('green', 'green', 0), 'unknown', 4],
    [withGate('pause', 'pause', 2), 'unknown', 4],
    [withGate('rollback', 'rollback', 3), 'rollback', 3],
  ] as const)('outside: gates %#, the answer is %s (exit %d), never proceed', (report, state, exitCode) => {
    const r = scheduleAnswer(model, report, before);
    expect([r.state, r.exitCode]).toEqual([state, exitCode]);
    expect(r.reason).toMatch(/^outside the schedule: gate-unit may start at /);
    expect(r.gates).toEqual(report.gates);
  });
  it('keeps an earlier whole-answer reason after the schedule reason', () => {
    const r = scheduleAnswer(model, { ...green, gates: [], phase: undefined, state: 'unknown', exitCode: 4, reason: 'current phase unknown: no migration_phase series' }, before);
    expect(r.reason).toMatch(/no alert watches it before then; current phase unknown: no migration_phase series$/);
  });
});

describe('migobs gate outside the schedule (CLI)', () => {
  let fake: FakePrometheus | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const past = scheduled('past', '{notAfter: "2020-01-01T00:00:00Z"}');
  const future = scheduled('future', '{notBefore: "2999-01-01T00:00:00Z"}');

  it.each([
    [past, { lag: '3', errors: '0' }, 4, /the window of gate-unit ended at 2020-01-01T00:00:00Z/],
    [future, { lag: '3', errors: '0' }, 4, /gate-unit may start at 2999-01-01T00:00:00Z/],
    [past, { lag: '90', errors: '0' }, 3, /the window of gate-unit ended at/],
  ])('%s with %o: exit %d, the reason on stderr and in --json', async (file, values, code, reason) => {
    fake = await startFake(gateAnswers('canary', values));
    const r = await migobsAsync(['gate', file, '--prometheus-url', fake.url, '--json']);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(reason);
    const json = JSON.parse(r.stdout) as { gates: unknown[]; overall: { exitCode: number; reason: string } };
    expect(json.overall.exitCode).toBe(code);
    expect(json.overall.reason).toMatch(reason);
    // The gates are still evaluated and shown.
    expect(json.gates).toHaveLength(2);
  });
});
