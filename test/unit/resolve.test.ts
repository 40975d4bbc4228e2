/** Override and disable semantics: definitions merge with presets by id. */
import { describe, expect, it } from 'vitest';
import { check } from '../helpers/definitions';
import { loadPreset } from '../../src/presets/load';

const model = (patch: Parameters<typeof check>[0]) => {
  const r = check(patch);
  expect(r.diagnostics).toEqual([]);
  return r.migrations[0]!.model;
};

describe('resolve', () => {
  it('the shipped example overrides the preset replication-lag gate and keeps the other preset gates', () => {
    const m = model(() => {});
    const lag = m.gates.find((g) => g.id === 'replication-lag')!;
    expect(lag).toMatchObject({ pause: 10, rollback: 60, pauseFor: '2m', rollbackFor: '2m', phases: ['canary', 'ramp', 'full'], origin: 'definition', signal: 'replicationLag' });
    expect(m.signals.replicationLag!.expr).toBe('max(pg_replication_lag{instance="db1:9187"})');
    const presetIds = loadPreset('backfill').gates.filter((g) => !g.engines || g.engines.includes('postgres')).map((g) => g.id);
    expect(m.gates.map((g) => g.id)).toEqual(presetIds);
  });

  it('a partial override changes only the given fields', () => {
    const preset = loadPreset('backfill').gates.find((g) => g.id === 'active-sessions')!;
    const g = model((d) => d.spec.gates!.push({ id: 'active-sessions', pause: 30 })).gates.find((x) => x.id === 'active-sessions')!;
    expect(g).toMatchObject({ pause: 30, rollback: preset.rollback, pauseFor: preset.for, signal: preset.signal });
  });

  it('enabled: false drops a preset gate and records it', () => {
    const m = model((d) => d.spec.gates!.push({ id: 'dead-tuples', enabled: false }));
    expect(m.gates.map((g) => g.id)).not.toContain('dead-tuples');
    expect(m.disabledGates).toEqual(['dead-tuples']);
  });

  it('a new gate is appended after the preset gates', () => {
    const m = model((d) => d.spec.gates!.push({ id: 'cpu-hot', signal: 'cpuUtilization', pause: 0.8, rollback: 0.95, for: '5m' }));
    expect(m.gates.at(-1)).toMatchObject({ id: 'cpu-hot', pause: 0.8, rollback: 0.95, origin: 'definition', phases: m.phases.map((p) => p.id) });
  });

  it('the selector and migration_id are injected into migration_* selectors only', () => {
    const m = model((d) => {
      d.spec.signals!.mixed = { expr: 'sum(rate(migration_rows_processed_total[5m])) / sum(pg_stat_activity_count)' };
    });
    expect(m.signals.mixed!.expr).toBe('sum(rate(migration_rows_processed_total{migration_id="orders-region-backfill", job="orders-backfill"}[5m])) / sum(pg_stat_activity_count)');
  });

  it('a matcher the user wrote wins over the injected one', () => {
    const m = model((d) => {
      d.spec.signals!.own = { expr: 'max(migration_lag_seconds{job="other"})' };
    });
    expect(m.signals.own!.expr).toBe('max(migration_lag_seconds{migration_id="orders-region-backfill", job="other"})');
  });

  it('selector values are quoted safely when injected', () => {
    const m = model((d) => {
      d.spec.selector = 'job="a\\"b", env=~"x|y"';
      d.spec.signals!.own = { expr: 'max(migration_lag_seconds)' };
    });
    expect(m.signals.own!.expr).toBe('max(migration_lag_seconds{migration_id="orders-region-backfill", job="a\\"b", env=~"x|y"})');
  });

  it('phases merge by id; enabled: false removes one; new ones are appended', () => {
    const m = model((d) => {
      d.spec.phases = [{ id: 'canary', title: 'Canary (1%)' }, { id: 'verify', enabled: false }, { id: 'soak', title: 'Soak', proceed: ['24 h quiet'] }];
      d.spec.gates![0]!.phases = ['canary', 'soak'];
    });
    expect(m.phases.map((p) => p.id)).toEqual(['preflight', 'canary', 'ramp', 'full', 'closeout', 'soak']);
    expect(m.phases[1]!.title).toBe('Canary (1%)');
  });

  it('routing and grafana defaults come from the repo config when the definition has none', () => {
    const r = check((d) => { delete d.spec.routing; delete d.spec.grafana; });
    expect(r.migrations[0]!.model.routing).toEqual({ page: 'migobs-page', notify: 'migobs-notify' });
  });
});
