/** The gh-ost hook adapter's pure parts and the emitter's setRowsProcessed. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextState, parseState, phaseMap, pushLabels, readGhOstEnv, type HookState } from '../../src/adapters/gh-ost';
import { MigrationMetrics } from '../../src/emitter';
import { loadModel } from '../../src/live/setup';

const MODEL = loadModel(join(__dirname, '..', 'e2e', 'fixtures', 'gh-ost-rewrite.yaml'));
const MAP = phaseMap(MODEL, {});

describe('readGhOstEnv', () => {
  it('reads the numbers as gh-ost formats them, and the throttle state from GH_OST_STATUS', () => {
    expect(readGhOstEnv({ GH_OST_COPIED_ROWS: '120', GH_OST_ESTIMATED_ROWS: '1000', GH_OST_ETA_SECONDS: '42', GH_OST_INSPECTED_LAG: '0.500000', GH_OST_HEARTBEAT_LAG: '1.250000', GH_OST_STATUS: "'Copy: 1/2 50.0%; State: throttled, lag=2.0s; ETA: N/A'" })).toEqual({
      copiedRows: 120, estimatedRows: 1000, etaSeconds: 42, inspectedLag: 0.5, heartbeatLag: 1.25, throttled: true, problems: [],
    });
    expect(readGhOstEnv({ GH_OST_STATUS: "'Copy: 1/2 50.0%; State: migrating; ETA: 1s'" }).throttled).toBe(false);
    expect(readGhOstEnv({ GH_OST_STATUS: "'Copy: 1/2 50.0%; State: postponing cut-over; ETA: due'" }).throttled).toBe(false);
  });

  it("leaves out gh-ost's unknown ETA and refuses what gh-ost never writes", () => {
    expect(readGhOstEnv({ GH_OST_ETA_SECONDS: '-9223372036854775808' })).toEqual({ problems: [] });
    const r = readGhOstEnv({ GH_OST_COPIED_ROWS: '-1', GH_OST_ESTIMATED_ROWS: '0x10', GH_OST_HEARTBEAT_LAG: 'NaN', GH_OST_INSPECTED_LAG: '1e3' });
    expect(r).toMatchObject({ problems: [expect.stringMatching(/^GH_OST_COPIED_ROWS="-1"/), expect.stringMatching(/^GH_OST_ESTIMATED_ROWS="0x10"/), expect.stringMatching(/^GH_OST_INSPECTED_LAG/), expect.stringMatching(/^GH_OST_HEARTBEAT_LAG="NaN"/)] });
    expect(r.copiedRows).toBeUndefined();
  });
});

describe('nextState', () => {
  it('startup starts a run; rows moving or a phase change is progress, a throttled status is not', () => {
    let s = nextState(undefined, 'gh-ost-on-startup', { problems: [] }, MAP, 1000);
    expect(s).toMatchObject({ phase: 'preflight', copiedRows: 0, lastProgressMs: 1000, errors: 0, throttled: false });
    s = nextState(s, 'gh-ost-on-before-row-copy', { problems: [] }, MAP, 2000);
    expect(s).toMatchObject({ phase: 'full', lastProgressMs: 2000 });
    s = nextState(s, 'gh-ost-on-rowcount-complete', { copiedRows: 0, estimatedRows: 500, problems: [] }, MAP, 3000);
    expect(s).toMatchObject({ phase: 'full', estimatedRows: 500, lastProgressMs: 2000 });
    s = nextState(s, 'gh-ost-on-status', { copiedRows: 100, throttled: false, problems: [] }, MAP, 4000);
    expect(s).toMatchObject({ copiedRows: 100, lastProgressMs: 4000 });
    s = nextState(s, 'gh-ost-on-status', { copiedRows: 100, throttled: true, problems: [] }, MAP, 5000);
    expect(s).toMatchObject({ throttled: true, lastProgressMs: 4000 });
    s = nextState(s, 'gh-ost-on-batch-copy-retry', { copiedRows: 100, problems: [] }, MAP, 6000);
    expect(s).toMatchObject({ errors: 1, throttled: true });
    s = nextState(s, 'gh-ost-on-failure', { copiedRows: 100, problems: [] }, MAP, 7000);
    expect(s).toMatchObject({ errors: 2, throttled: false, phase: 'full' });
    s = nextState(s, 'gh-ost-on-startup', { problems: [] }, MAP, 8000);
    expect(s).toMatchObject({ phase: 'preflight', copiedRows: 0, errors: 0 });
  });

  it('without a state (hooks installed mid-run), a copy under way is the copy phase', () => {
    expect(nextState(undefined, 'gh-ost-on-status', { copiedRows: 10, problems: [] }, MAP, 1).phase).toBe('full');
    expect(nextState(undefined, 'gh-ost-on-status', { copiedRows: 0, problems: [] }, MAP, 1).phase).toBe('preflight');
  });

  it('the phase map drops default phases the definition lacks and takes --phase-map entries', () => {
    const schemaOnly = { ...MODEL, phases: MODEL.phases.filter((p) => p.id !== 'cut-over') };
    expect(phaseMap(schemaOnly, {})['gh-ost-on-before-cut-over']).toBeUndefined();
    expect(phaseMap(MODEL, { 'gh-ost-on-before-row-copy': 'canary' })['gh-ost-on-before-row-copy']).toBe('canary');
  });

  it('a state file that is not one is refused (a new run starts)', () => {
    const s: HookState = { phase: 'full', copiedRows: 1, estimatedRows: 2, lastProgressMs: 3, errors: 0, throttled: false };
    expect(parseState(JSON.stringify(s))).toEqual(s);
    expect(parseState('{"copiedRows": -1}')).toBeUndefined();
    expect(parseState('not json')).toBeUndefined();
  });
});

describe('pushLabels', () => {
  it("pushes the selector's equality matchers: job as the job name", () => {
    expect(pushLabels(MODEL)).toEqual({ job: 'ghost-orders', groupings: {}, unmatched: [] });
    const regex = { ...MODEL, migrationMatchers: [...MODEL.migrationMatchers, { name: 'env', op: '=~' as const, value: 'prod|staging' }] };
    expect(pushLabels(regex).unmatched).toEqual([{ name: 'env', op: '=~', value: 'prod|staging' }]);
  });
});

describe('MigrationMetrics.setRowsProcessed', () => {
  it('sets the counter to a cumulative count, marks progress when it grows, refuses going back', async () => {
    let clock = 1000;
    const m = new MigrationMetrics({ migrationId: 'm', now: () => clock });
    clock = 5000;
    m.setRowsProcessed(10);
    m.setRowsProcessed(10);
    expect(await m.metrics()).toMatch(/^migration_rows_processed_total\{migration_id="m"\} 10$/m);
    expect(await m.metrics()).toMatch(/^migration_last_progress_timestamp_seconds\{migration_id="m"\} 5$/m);
    m.recordBatch({ rows: 5, durationSeconds: 0.1 });
    m.setRowsProcessed(20);
    expect(await m.metrics()).toMatch(/^migration_rows_processed_total\{migration_id="m"\} 20$/m);
    expect(() => m.setRowsProcessed(19)).toThrow(/less than the 20 rows already counted/);
  });
});
