/**
 * The engine libraries' `requires:` texts, the files in exporters/ and the flags `migobs
 * exporter-setup` prints agree with each other, and the package ships them:
 * - every file a `requires:` names is in exporters/ and in the npm package;
 * - every exporter flag a `requires:` names is printed, and every printed flag is needed by a signal;
 * - every metric a signal reads from the shipped postgres query file is defined by that file;
 * - no `requires:` text points outside the package.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Engine } from '../../src/definition/types';
import { exporterSetup, signalsNeeding } from '../../src/exporters/setup';
import { engineSignals } from '../../src/presets/load';
import { REPO } from '../helpers/cli';

const ENGINES: Engine[] = ['postgres', 'mysql', 'generic'];
const setupOf = (engine: Engine) => exporterSetup(engine, (name) => `exporters/${engine}/${name}`);
const requiresOf = (engine: Engine): Array<[string, string]> => Object.entries(engineSignals(engine)).map(([name, s]) => [name, s.requires ?? '']);

/** Metric names a postgres_exporter --extend.query-path file defines: <query>_<column> of each non-LABEL column. */
function queryFileMetrics(text: string): Set<string> {
  const doc = parse(text) as Record<string, { metrics: Array<Record<string, { usage: string }>> }>;
  const names = new Set<string>();
  for (const [ns, q] of Object.entries(doc)) {
    for (const m of q.metrics) for (const [col, def] of Object.entries(m)) if (def.usage !== 'LABEL') names.add(`${ns}_${col}`);
  }
  return names;
}

describe('exporter files, flags and requires: texts', () => {
  it.each(ENGINES)('%s: every exporters/... file a requires: names exists, and exporter-setup ships it', (engine) => {
    const shipped = setupOf(engine).files.map((f) => `exporters/${engine}/${f.name}`);
    for (const [signal, requires] of requiresOf(engine)) {
      for (const path of requires.match(/exporters\/[\w./-]+[\w]/g) ?? []) {
        expect(existsSync(join(REPO, path)), `${engine}.${signal} names ${path}`).toBe(true);
        expect(shipped, `${engine}.${signal}: exporter-setup ${engine} must write ${path}`).toContain(path);
      }
    }
  });

  it.each(ENGINES)('%s: every exporter flag a requires: names is printed by exporter-setup', (engine) => {
    const printed = setupOf(engine).exporters.flatMap((e) => e.flags.map((f) => f.flag.split('=')[0]!));
    for (const [signal, requires] of requiresOf(engine)) {
      for (const flag of requires.match(/--(?:collect|extend)\.[a-z_.-]+[a-z_]/g) ?? []) {
        expect(printed, `${engine}.${signal} needs ${flag}`).toContain(flag);
      }
    }
  });

  it.each(ENGINES)('%s: every printed flag that enables something is needed by at least one signal', (engine) => {
    for (const e of setupOf(engine).exporters) {
      for (const f of e.flags) if (f.marker !== '') expect(signalsNeeding(engine, f), `${e.name} ${f.flag}`).not.toEqual([]);
    }
  });

  it('every metric a postgres signal reads through migration-queries.yaml is defined by that file', () => {
    const defined = queryFileMetrics(readFileSync(join(REPO, 'exporters', 'postgres', 'migration-queries.yaml'), 'utf8'));
    const users = Object.entries(engineSignals('postgres')).filter(([, s]) => /exporters\/postgres\/migration-queries\.yaml/.test(s.requires ?? ''));
    expect(users.map(([n]) => n).sort()).toEqual(['deadTupleRatio', 'lockWaitSeconds', 'lockWaitSessions', 'replicationLag', 'walBytesRate']);
    for (const [name, s] of users) for (const m of s.metrics ?? []) expect(defined, `${name} reads ${m}`).toContain(m);
  });

  it('no requires: text points outside the package', () => {
    for (const engine of ENGINES) {
      for (const [signal, requires] of requiresOf(engine)) {
        expect(requires, `${engine}.${signal}`).not.toMatch(/shared\/|\.\.\/|pg-migration-queries|\/usr\/share\//);
      }
    }
  });
});

describe('the npm package', () => {
  it('contains the exporter files, docs/references.md and docs/exporter-setup.md (npm pack --dry-run)', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    const want = [
      ...ENGINES.flatMap((engine) => setupOf(engine).files.map((f) => `exporters/${engine}/${f.name}`)),
      'exporters/README.md',
      'docs/references.md',
      'docs/exporter-setup.md',
    ];
    expect(want.filter((f) => !files.has(f))).toEqual([]);
    expect([...files].filter((f) => f.startsWith('test/'))).toEqual([]);
  });
});
