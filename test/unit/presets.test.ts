/** Every preset x engine resolves and validates; preset data follows its contract. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, MIGRATION_TYPES, type Engine, type MigrationType } from '../../src/definition/types';
import { engineSignals, loadPreset } from '../../src/presets/load';
import { exprType, metricNames, parsePromql, syntaxProblems } from '../../src/promql/parse';
import { loadDefinitionText } from '../../src/pipeline';
import { renderInit } from '../../src/cli/commands/init';

const MATRIX = MIGRATION_TYPES.flatMap((t) => ENGINES.map((e) => [t, e] as [MigrationType, Engine]));
const BATCH_PHASES = ['preflight', 'canary', 'ramp', 'full', 'verify', 'closeout'];

function exporterFamilies(): Set<string> {
  const dir = join(__dirname, '..', '..', '..', 'shared', 'exporter-metrics');
  const names = new Set<string>();
  for (const f of ['postgres_exporter-0.11.1-primary-custom', 'postgres_exporter-0.11.1-replica-custom', 'postgres_exporter-0.11.1-primary-extend', 'postgres_exporter-0.11.1-replica-extend', 'postgres_exporter-0.11.1-primary', 'mysqld_exporter-0.14.0-primary-extra', 'mysqld_exporter-0.14.0-replica-extra', 'mysqld_exporter-0.14.0-primary', 'node_exporter-1.5.0']) {
    for (const line of readFileSync(join(dir, `${f}.families.tsv`), 'utf8').split('\n').slice(1)) {
      const name = line.split('\t')[0];
      if (name) names.add(name);
    }
  }
  return names;
}

describe('presets', () => {
  it.each(MIGRATION_TYPES)('%s has phases, gates with both thresholds and valid phases', (type) => {
    const p = loadPreset(type);
    expect(p.type).toBe(type);
    const ids = p.phases.map((ph) => ph.id);
    if (type === 'cutover') expect(ids).toEqual(expect.arrayContaining(['freeze', 'switch', 'soak']));
    else expect(ids).toEqual(expect.arrayContaining(BATCH_PHASES));
    for (const ph of p.phases) expect(ph.proceed?.length ?? 0).toBeGreaterThan(0);
    expect(p.gates.length).toBeGreaterThanOrEqual(3);
    for (const g of p.gates) {
      expect(typeof g.pause).toBe('number');
      expect(typeof g.rollback).toBe('number');
      expect(g.remediation?.length ?? 0).toBeGreaterThan(0);
      for (const ph of g.phases ?? []) expect(ids).toContain(ph);
    }
    expect(p.verification?.length ?? 0).toBeGreaterThan(0);
    expect(p.runbook?.rollback?.length ?? 0).toBeGreaterThan(0);
    expect(p.runbook?.decides?.length ?? 0).toBeGreaterThan(0);
  });

  it.each(MIGRATION_TYPES)('%s cites its sources in comments', (type) => {
    const text = readFileSync(join(__dirname, '..', '..', 'presets', `${type}.yaml`), 'utf8');
    // Every gate is preceded or followed by a comment naming reference rows (G1, P3, GL4, PG3, ...) or "derived".
    const gateCount = (text.match(/^\s*- id: /gm) ?? []).length - loadPreset(type).phases.length;
    const citations = (text.match(/#.*\b([A-Z]{1,2}[0-9]{1,2}|derived)\b/g) ?? []).length;
    expect(citations).toBeGreaterThanOrEqual(gateCount);
  });

  it.each(ENGINES)('engine library %s: every signal is valid PromQL returning an instant vector, over real exporter metric names', (engine) => {
    const families = exporterFamilies();
    for (const [name, s] of Object.entries(engineSignals(engine))) {
      const parsed = parsePromql(s.expr);
      expect(syntaxProblems(parsed), `${engine}.${name}`).toEqual([]);
      expect(exprType(parsed), `${engine}.${name}`).toBe('vector');
      for (const m of metricNames(parsed)) {
        if (m.startsWith('migration_') || m.startsWith('http_')) continue; // the migobs contract / the app's own metrics
        const base = m.replace(/_(bucket|sum|count)$/, '');
        expect(families.has(m) || families.has(base), `${engine}.${name} reads ${m}, which no captured exporter exposes`).toBe(true);
      }
      expect(s.requires, `${engine}.${name} must say which exporter setup it needs`).toBeTruthy();
    }
  });

  it.each(MATRIX)('%s x %s: `migobs init` output validates and resolves every preset gate', (type, engine) => {
    const text = renderInit(`x-${type}`, type, engine);
    const r = loadDefinitionText(`${type}-${engine}.yaml`, text);
    expect(r.diagnostics).toEqual([]);
    const model = r.migrations[0]!.model;
    const expected = loadPreset(type).gates.filter((g) => !g.engines || g.engines.includes(engine)).map((g) => g.id);
    expect(model.gates.map((g) => g.id)).toEqual(expected);
    for (const g of model.gates) expect(model.signals[g.signal], `${type}/${engine}: ${g.id}`).toBeDefined();
  });
});
