/**
 * drift with generate's manifest (docs/incremental.md): a committed file whose bytes hash to what
 * the manifest records, for a migration whose recorded input hash is this run's, is generate's own
 * output for this very definition, so lint does not read thresholds back out of it. Anything else
 * (a hand edit, a changed definition, other flavours, no manifest) is read and compared as before.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateAll } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { generatedRecord, lintMigrations, readCommitted } from '../../src/lint/index';
import { loadDefinitionText, loadDefinitions, type LoadedMigration } from '../../src/pipeline';
import { inputHash, sha256 } from '../../src/write/hash';
import { OutputWriter } from '../../src/write/plan';

const FIXTURE = join(__dirname, '..', 'fixtures', 'lint', 'drift.yaml');
const ID = 'lint-drift';
const MANIFEST = '.migobs-manifest.json';

let outDir: string;
let migration: LoadedMigration;

/** Generate into `outDir` the way `generate` does: files plus a version 2 manifest with hashes. */
function generateWithManifest(m: LoadedMigration, flavors: Array<'files' | 'mimir'> = ['files']): void {
  const writer = new OutputWriter(outDir);
  for (const f of generateAll([m.model], flavors)) writer.add(f);
  writer.commit(new Map([[m.model.id, inputHash(m.model, flavors)]]));
}

beforeEach(() => {
  const r = loadDefinitions([FIXTURE]);
  expect(r.diagnostics).toEqual([]);
  migration = r.migrations[0]!;
  outDir = mkdtempSync(join(tmpdir(), 'migobs-drift-manifest-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

const path = (kind: 'rules' | 'dashboard' | 'runbook'): string => join(outDir, FILES[kind](ID));
const drift = (m: LoadedMigration = migration, flavors: string[] = ['files']) => lintMigrations([m], { outDir, flavors }).filter((d) => d.check === 'drift');
/** Raise the committed pause alert's threshold from 10 to 11 (what a hurried hand edit looks like). */
const handEditRules = (): void => writeFileSync(path('rules'), readFileSync(path('rules'), 'utf8').replace(/> 10\)/g, '> 11)'));
/** The manifest, after making it vouch for the rules file's current bytes (as if generate had written them). */
const vouchForRules = (): void => {
  const m = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as { hashes: Record<string, string> };
  m.hashes[FILES.rules(ID)] = sha256(readFileSync(path('rules')));
  writeFileSync(join(outDir, MANIFEST), JSON.stringify(m));
};

describe('drift trusts files the manifest proves current', () => {
  it('freshly generated output: every drift file is current and there is no drift', () => {
    generateWithManifest(migration);
    const committed = readCommitted(outDir, migration.model, generatedRecord(outDir, ['files']));
    expect(committed.current).toEqual({ rules: true, dashboard: true, runbook: true });
    expect(drift()).toEqual([]);
  });

  it('a file the manifest vouches for is not read back (the shortcut is really taken)', () => {
    generateWithManifest(migration);
    handEditRules();
    vouchForRules();
    expect(drift()).toEqual([]);
  });

  it('a hand edit no longer matches its recorded hash: that file is read and the edit reported', () => {
    generateWithManifest(migration);
    handEditRules();
    const committed = readCommitted(outDir, migration.model, generatedRecord(outDir, ['files']));
    expect(committed.current).toEqual({ dashboard: true, runbook: true });
    const found = drift();
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/rules\/lint-drift\.yaml \(alert MigrationGatePause\) has pause 11, the definition has 10/)]);
  });

  it('a changed definition: nothing is current, every committed file is compared with it', () => {
    generateWithManifest(migration);
    handEditRules();
    vouchForRules();
    const text = readFileSync(FIXTURE, 'utf8').replace('pause: 10', 'pause: 12');
    const changed = loadDefinitionText(FIXTURE, text).migrations[0]!;
    expect(readCommitted(outDir, changed.model, generatedRecord(outDir, ['files'])).current).toEqual({});
    const files = new Set(drift(changed).map((d) => d.message.split(' ')[2]));
    expect(files).toEqual(new Set([`${outDir}/${FILES.rules(ID)}`, `${outDir}/${FILES.dashboard(ID)}`, `${outDir}/${FILES.runbook(ID)}`]));
  });

  it('output generated with other flavours than the config names: compared the long way', () => {
    generateWithManifest(migration, ['files', 'mimir']);
    handEditRules();
    vouchForRules();
    expect(readCommitted(outDir, migration.model, generatedRecord(outDir, ['files'])).current).toEqual({});
    expect(drift().length).toBeGreaterThan(0);
    expect(drift(migration, ['files', 'mimir'])).toEqual([]);
  });

  it('no manifest (or a version 1 manifest without hashes): nothing is current', () => {
    generateWithManifest(migration);
    writeFileSync(join(outDir, MANIFEST), JSON.stringify({ manifestVersion: 1, files: [FILES.rules(ID)] }));
    expect(generatedRecord(outDir, ['files'])).toBeUndefined();
    handEditRules();
    expect(drift().length).toBeGreaterThan(0);
  });
});
