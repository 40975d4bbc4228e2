/** Every preset x engine resolves and validates; preset data follows its contract. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, MIGRATION_TYPES, type Engine, type MigrationType } from '../../src/definition/types';
import { engineSignals, loadEngineLibrary, loadPreset } from '../../src/presets/load';
import { exprType, parsePromql, syntaxProblems } from '../../src/promql/parse';
import { spawnSync } from 'node:child_process';
import { loadDefinitionText } from '../../src/pipeline';
import { renderInit } from '../../src/cli/commands/init';

const MATRIX = MIGRATION_TYPES.flatMap((t) => ENGINES.map((e) => [t, e] as [MigrationType, Engine]));
const REPO_ROOT = join(__dirname, '..', '..');
const BATCH_PHASES = ['preflight', 'canary', 'ramp', 'full', 'verify', 'closeout'];

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

  it.each(ENGINES)('engine library %s: every signal is valid PromQL returning an instant vector', (engine) => {
    for (const [name, s] of Object.entries(engineSignals(engine))) {
      const parsed = parsePromql(s.expr);
      expect(syntaxProblems(parsed), `${engine}.${name}`).toEqual([]);
      expect(exprType(parsed), `${engine}.${name}`).toBe('vector');
    }
  });

  // docs/presets.md shows each library's own signals in a table; it must show the current expr.
  it.each(ENGINES)('docs/presets.md lists every signal of the %s library with its current expr', (engine) => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'presets.md'), 'utf8');
    const start = doc.indexOf(`\n### ${engine}\n`);
    expect(start, `a "### ${engine}" section`).toBeGreaterThan(-1);
    const next = doc.indexOf('\n### ', start + 1);
    const section = doc.slice(start, next === -1 ? undefined : next);
    for (const [name, s] of Object.entries(loadEngineLibrary(engine).signals)) {
      // Table cells: whitespace folded, `|` escaped.
      const expr = s.expr.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
      expect(section, `${engine}.${name}`).toContain(`| \`${name}\` | \`${expr}\` |`);
    }
  });

  it('every metric a preset or engine signal reads is listed, exists in a real exporter capture, and says what setup it needs (scripts/check-preset-metrics.mjs)', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'check-preset-metrics.mjs')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
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
