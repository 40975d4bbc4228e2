/**
 * Incremental `migobs generate` (docs/incremental.md), through the built CLI: a migration whose
 * input hash and files match the manifest is not generated (the generator bundle is not even
 * loaded); an edited definition regenerates that migration only; a hand-edited or deleted output
 * is regenerated and `--check` reports it; a config, flavour or version change regenerates; a
 * version 1 manifest still works; and the worker pool writes the same bytes as one thread.
 *
 * "Not generated" is shown by a file whose bytes were changed together with the manifest's hash
 * for it: a run that skips the migration leaves it alone, a run that regenerates puts the real
 * bytes back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputHash } from '../../src/write/hash';
import { renderManifest } from '../../src/write/manifest';
import { loadDefinitions } from '../../src/pipeline';
import { migobs, REPO } from '../helpers/cli';
import { readTree } from '../helpers/outputs';

const EXAMPLE = readFileSync(join(REPO, 'examples/orders-region-backfill.yaml'), 'utf8');
const MANIFEST = '.migobs-manifest.json';
const HEAVY = 'dist/heavy/generate-run.js';
const roots: string[] = [];

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A folder with `n` copies of the example (ids m01, m02, ...) in defs/, output in out/. */
function repo(n: number): { root: string; defs: string; out: string; ids: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'migobs-incr-'));
  roots.push(root);
  const defs = join(root, 'defs');
  mkdirSync(defs);
  const ids = Array.from({ length: n }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
  for (const id of ids) writeFileSync(join(defs, `${id}.yaml`), EXAMPLE.replace(/^  id: orders-region-backfill\b/m, `  id: ${id}`));
  return { root, defs, out: join(root, 'out'), ids };
}

function gen(r: { root: string; defs: string; out: string }, extra: string[] = [], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  // Relative paths: the outputs cite the definition's file name as given.
  return migobs(['generate', 'defs', '--out-dir', 'out', ...extra], { cwd: r.root, env });
}

/** Whether the run loaded the generators (Node's module debug log names every file it loads). */
function loadsGenerators(r: { root: string; defs: string; out: string }, extra: string[] = []): { loaded: boolean; stdout: string; code: number } {
  const res = gen(r, extra, { NODE_DEBUG: 'module' });
  return { loaded: res.stderr.includes(HEAVY), stdout: res.stdout, code: res.code };
}

interface Manifest {
  manifestVersion: number;
  files: string[];
  hashes: Record<string, string>;
  inputs: Record<string, string>;
}
const readManifestJson = (out: string): Manifest => JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')) as Manifest;
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Change a file and the manifest's hash of it together: only a regeneration undoes this. */
function plant(out: string, path: string): string {
  const text = readFileSync(join(out, path), 'utf8') + '# planted\n';
  writeFileSync(join(out, path), text);
  const m = readManifestJson(out);
  m.hashes[path] = sha(text);
  writeFileSync(join(out, MANIFEST), JSON.stringify(m, null, 2) + '\n');
  return text;
}

const RULES = (id: string): string => `prometheus/rules/${id}.yaml`;
const RUNBOOK = (id: string): string => `docs/${id}/runbook.md`;

describe('incremental generate', () => {
  it('records, per migration, the input hash, and per file the SHA-256 of its bytes', () => {
    const r = repo(2);
    expect(gen(r).code).toBe(0);
    const m = readManifestJson(r.out);
    expect(m.manifestVersion).toBe(2);
    expect(Object.keys(m.inputs)).toEqual(['m01', 'm02']);
    for (const v of Object.values(m.inputs)) expect(v).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(m.hashes)).toEqual(m.files);
    for (const p of m.files) expect(m.hashes[p], p).toBe(sha(readFileSync(join(r.out, p), 'utf8')));
  });

  it('nothing changed: nothing generated (the generators are not even loaded), "N unchanged", --check ok', () => {
    const r = repo(2);
    const first = loadsGenerators(r);
    expect(first.code).toBe(0);
    expect(first.loaded).toBe(true);
    const before = readTree(r.out);
    const again = loadsGenerators(r);
    expect(again.code).toBe(0);
    expect(again.loaded).toBe(false);
    expect(again.stdout).toContain('2 migration(s): 0 file(s) written, 17 unchanged');
    expect(readTree(r.out)).toEqual(before);
    const check = loadsGenerators(r, ['--check']);
    expect(check.code).toBe(0);
    expect(check.loaded).toBe(false);
    expect(check.stdout).toContain('ok: 17 file(s)');
  });

  it('an edited definition regenerates that migration only', () => {
    const r = repo(2);
    expect(gen(r).code).toBe(0);
    const planted = plant(r.out, RULES('m02'));
    writeFileSync(join(r.defs, 'm01.yaml'), readFileSync(join(r.defs, 'm01.yaml'), 'utf8').replace('title: Backfill orders.region from customers', 'title: Backfill orders.region (edited)'));
    const res = gen(r);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`wrote out/${RUNBOOK('m01')}`);
    expect(res.stdout).not.toMatch(/wrote out\/.*m02/);
    // m02 was not generated: the planted bytes (which the manifest vouches for) are still there.
    expect(readFileSync(join(r.out, RULES('m02')), 'utf8')).toBe(planted);
    expect(readFileSync(join(r.out, RUNBOOK('m01')), 'utf8')).toContain('(edited)');
  });

  it('a hand-edited output: --check reports it stale, generate regenerates it', () => {
    const r = repo(1);
    expect(gen(r).code).toBe(0);
    const good = readFileSync(join(r.out, RULES('m01')), 'utf8');
    writeFileSync(join(r.out, RULES('m01')), good.replace('for: ', 'for:  '));
    const check = gen(r, ['--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`stale:   out/${RULES('m01')}`);
    expect(check.stderr).not.toContain('missing:');
    const res = gen(r);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`wrote out/${RULES('m01')}`);
    expect(res.stdout).toContain('1 file(s) written, 8 unchanged');
    expect(readFileSync(join(r.out, RULES('m01')), 'utf8')).toBe(good);
  });

  it('a deleted output: --check reports it missing, generate writes it again', () => {
    const r = repo(1);
    expect(gen(r).code).toBe(0);
    const good = readFileSync(join(r.out, RUNBOOK('m01')), 'utf8');
    unlinkSync(join(r.out, RUNBOOK('m01')));
    const check = gen(r, ['--check']);
    expect(check.code).toBe(1);
    expect(check.stderr.trim().split('\n')[0]).toBe(`missing: out/${RUNBOOK('m01')}`);
    const res = gen(r);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`wrote out/${RUNBOOK('m01')}`);
    expect(readFileSync(join(r.out, RUNBOOK('m01')), 'utf8')).toBe(good);
  });

  it('a config change regenerates (here: the Grafana folder)', () => {
    const r = repo(1);
    expect(gen(r).code).toBe(0);
    const planted = plant(r.out, RULES('m01'));
    expect(gen(r).stdout).toContain('0 file(s) written'); // still current: the plant is vouched for
    expect(readFileSync(join(r.out, RULES('m01')), 'utf8')).toBe(planted);
    writeFileSync(join(r.root, 'migobs.config.yaml'), 'folder: Elsewhere\n');
    const res = gen(r);
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(r.out, RULES('m01')), 'utf8')).not.toBe(planted);
  });

  it('a flavour change regenerates', () => {
    const r = repo(1);
    expect(gen(r).code).toBe(0);
    const planted = plant(r.out, RULES('m01'));
    const res = gen(r, ['--flavor', 'files', '--flavor', 'mimir']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('wrote out/mimir/rules/m01.yaml');
    expect(readFileSync(join(r.out, RULES('m01')), 'utf8')).not.toBe(planted);
  });

  it('another migobs version (another input hash in the manifest) regenerates', () => {
    const r = repo(1);
    expect(gen(r).code).toBe(0);
    const planted = plant(r.out, RULES('m01'));
    const m = readManifestJson(r.out);
    m.inputs.m01 = sha('written by another version');
    writeFileSync(join(r.out, MANIFEST), JSON.stringify(m, null, 2) + '\n');
    expect(gen(r, ['--check']).stderr).toContain(`stale:   out/${RULES('m01')}`);
    expect(gen(r).code).toBe(0);
    expect(readFileSync(join(r.out, RULES('m01')), 'utf8')).not.toBe(planted);
    expect(readManifestJson(r.out).inputs.m01).not.toBe(sha('written by another version'));
  });

  it('a version 1 manifest (files only) is read: regenerated once, upgraded, and removals still work', () => {
    const r = repo(2);
    expect(gen(r).code).toBe(0);
    const before = readTree(r.out);
    writeFileSync(join(r.out, MANIFEST), renderManifest(readManifestJson(r.out).files));
    expect(readManifestJson(r.out).manifestVersion).toBe(1);
    const check = gen(r, ['--check']);
    // Every file is as generated: only the manifest is behind (it gains the hashes).
    expect(check.code).toBe(1);
    expect(check.stderr.split('\n')[0]).toBe(`stale:   out/${MANIFEST}`);
    expect(check.stderr).not.toMatch(/stale: {3}out\/[^.]|missing:/);
    rmSync(join(r.defs, 'm02.yaml'));
    const res = gen(r);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`removed out/${RULES('m02')}`);
    expect(res.stdout).toContain('0 file(s) written, 9 unchanged, 8 removed');
    expect(readManifestJson(r.out).manifestVersion).toBe(2);
    const after = readTree(r.out);
    for (const [p, text] of Object.entries(after)) if (p !== MANIFEST) expect(text, p).toBe(before[p]);
  });

  it('the input hash follows the flavours and the config, and is the same for the same input', () => {
    const [m] = loadDefinitions([join(REPO, 'examples/orders-region-backfill.yaml')]).migrations.map((x) => x.model);
    const [same] = loadDefinitions([join(REPO, 'examples/orders-region-backfill.yaml')]).migrations.map((x) => x.model);
    const [other] = loadDefinitions([join(REPO, 'examples/orders-region-backfill.yaml')], { folder: 'Elsewhere' }).migrations.map((x) => x.model);
    expect(inputHash(m!, ['files'])).toBe(inputHash(same!, ['files']));
    expect(inputHash(m!, ['files'])).not.toBe(inputHash(m!, ['files', 'mimir']));
    expect(inputHash(m!, ['files'])).not.toBe(inputHash(other!, ['files']));
  });
});

describe('generate with worker threads', () => {
  it('20 definitions: the same bytes with a worker pool as in one thread', () => {
    const a = repo(20);
    const one = gen(a, ['--quiet'], { MIGOBS_WORKERS: '1', NODE_DEBUG: 'worker' });
    expect(one.code, one.stderr).toBe(0);
    const b = repo(20);
    const pool = gen(b, ['--quiet'], { MIGOBS_WORKERS: '3', NODE_DEBUG: 'worker' });
    expect(pool.code, pool.stderr).toBe(0);
    // Node's worker debug log shows the pool ran (and the single-thread run had none).
    expect(pool.stderr).toMatch(/WORKER \d+: \[\d+\] created Worker/);
    expect(one.stderr).not.toMatch(/created Worker/);
    const ta = readTree(a.out);
    expect(Object.keys(ta)).toHaveLength(20 * 8 + 2);
    expect(readTree(b.out)).toEqual(ta);
  });

  it('a worker out of memory: its migrations are generated in the main thread, same bytes', () => {
    const a = repo(10);
    expect(gen(a, ['--quiet'], { MIGOBS_WORKERS: '1' }).code).toBe(0);
    const b = repo(10);
    // A 4 MiB heap: every worker runs out of memory; the main thread takes over.
    const res = gen(b, ['--quiet'], { MIGOBS_WORKERS: '2', MIGOBS_WORKER_HEAP_MB: '4' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(readTree(b.out)).toEqual(readTree(a.out));
  });

  it('a failure while a pool runs is a normal error: exit 1, no stack trace, nothing written', () => {
    const r = repo(10);
    // A folder where m07's runbook goes: staging that file fails.
    mkdirSync(join(r.out, 'docs', 'm07', 'runbook.md'), { recursive: true });
    const res = gen(r, [], { MIGOBS_WORKERS: '2' });
    // Every assertion shows the whole output: a failure here once could not be reproduced.
    const said = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    expect(res.code, said).toBe(1);
    expect(res.stderr, said).toContain('a folder is in the way of the file');
    expect(res.stderr, said).not.toMatch(/\n\s+at /);
    expect(Object.keys(readTree(r.out)), said).toEqual([]);
  });
});

/**
 * `generate` checks each definition and generates it at once (src/cli/commands/generate.ts
 * checkAndGenerate), in one thread and with a pool: an invalid definition found after many were
 * generated and staged still means nothing is written, and it is what the run reports.
 */
describe('definitions checked and generated side by side', () => {
  const invalid = (r: { defs: string }, id: string): void => {
    const file = join(r.defs, `${id}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('  type: backfill ', '  type: backfil  '));
  };

  it.each([['one thread', '1'], ['a pool', '2']])('%s: the last of 20 definitions is invalid: its problem, exit 1, nothing written', (_, workers) => {
    const r = repo(20);
    invalid(r, 'm20');
    const res = gen(r, [], { MIGOBS_WORKERS: workers, NODE_DEBUG: 'worker' });
    const said = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    expect(res.code, said).toBe(1);
    expect(res.stderr, said).toMatch(/defs\/m20\.yaml:\d+:\d+: .*backfil/);
    expect(res.stderr, said).toContain('nothing was written');
    expect(res.stderr, said).not.toMatch(/\n\s+at /);
    // The earlier ones were generated meanwhile (with a pool: in worker threads), and dropped.
    if (workers === '2') expect(res.stderr, said).toMatch(/created Worker/);
    expect(existsSync(r.out), said).toBe(false);
  });

  it('a staging failure and, later, an invalid definition: the definition is what is reported', () => {
    const r = repo(20);
    mkdirSync(join(r.out, 'docs', 'm03', 'runbook.md'), { recursive: true });
    invalid(r, 'm18');
    const res = gen(r, [], { MIGOBS_WORKERS: '2' });
    const said = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    expect(res.code, said).toBe(1);
    expect(res.stderr, said).toMatch(/defs\/m18\.yaml:\d+:\d+: /);
    expect(res.stderr, said).not.toContain('a folder is in the way');
    expect(Object.keys(readTree(r.out)), said).toEqual([]);
  });

  it('two definitions with one id: the duplicate is reported, nothing written, nothing generated twice', () => {
    const r = repo(12);
    writeFileSync(join(r.defs, 'm11.yaml'), readFileSync(join(r.defs, 'm11.yaml'), 'utf8').replace(/^ {2}id: m11\b/m, '  id: m04'));
    const res = gen(r, [], { MIGOBS_WORKERS: '2' });
    const said = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    expect(res.code, said).toBe(1);
    expect(res.stderr, said).toMatch(/defs\/m11\.yaml:\d+:\d+: .*migration id `m04` is already used by defs\/m04\.yaml/);
    expect(res.stderr, said).not.toMatch(/\n\s+at /);
    expect(existsSync(r.out), said).toBe(false);
  });

  it('current and stale migrations mixed, with a pool: the stale ones regenerated, the rest left alone, same bytes as a fresh run', () => {
    const r = repo(20);
    expect(gen(r, ['--quiet'], { MIGOBS_WORKERS: '2' }).code).toBe(0);
    const edit = (id: string): void => writeFileSync(join(r.defs, `${id}.yaml`), readFileSync(join(r.defs, `${id}.yaml`), 'utf8').replace('title: Backfill orders.region from customers', `title: Backfill orders.region (edited ${id})`));
    const stale = ['m02', 'm05', 'm06', 'm09', 'm11', 'm12', 'm15', 'm17', 'm18', 'm20'];
    stale.forEach(edit);
    // Planted in a current migration's file (with its hash): a run that regenerated m03 would put the real bytes back.
    const planted = plant(r.out, RULES('m03'));
    const res = gen(r, [], { MIGOBS_WORKERS: '2', NODE_DEBUG: 'worker' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/created Worker/);
    expect(res.stdout).toMatch(/20 migration\(s\): \d+ file\(s\) written, \d+ unchanged/);
    expect(readFileSync(join(r.out, RULES('m03')), 'utf8')).toBe(planted);
    for (const id of stale) expect(readFileSync(join(r.out, 'docs', id, 'runbook.md'), 'utf8')).toContain(`(edited ${id})`);
    // The stale ones' bytes are those of a fresh run of the same definitions.
    const fresh = repo(20);
    stale.forEach((id) => writeFileSync(join(fresh.defs, `${id}.yaml`), readFileSync(join(r.defs, `${id}.yaml`), 'utf8')));
    expect(gen(fresh, ['--quiet'], { MIGOBS_WORKERS: '1' }).code).toBe(0);
    const a = readTree(r.out);
    const b = readTree(fresh.out);
    const staleFiles = Object.keys(b).filter((p) => stale.some((id) => p.includes(`/${id}`)));
    expect(staleFiles).toHaveLength(stale.length * 8);
    for (const p of staleFiles) expect(a[p], p).toBe(b[p]);
  });

  it('in one thread, the heap policy follows the definitions a folder holds, not the inputs given', () => {
    // 150 definitions in one folder (one input): src/cli/jit.ts has V8 collect once the heap
    // doubled for that many in the main thread. A preload logs every V8 flag change the CLI makes.
    const r = repo(150);
    const log = join(r.root, 'flags.cjs');
    writeFileSync(log, "const v8 = require('node:v8'); const set = v8.setFlagsFromString; v8.setFlagsFromString = (f) => { process.stderr.write(`v8 flags: ${f}\\n`); return set(f); };\n");
    const res = gen(r, ['--quiet'], { MIGOBS_WORKERS: '1', NODE_OPTIONS: `--require ${log}` });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('v8 flags: --heap-growing-percent=100');
  });

  it('a valid run after a refused one writes everything (nothing of the refused run was left behind)', () => {
    const r = repo(12);
    invalid(r, 'm12');
    expect(gen(r, ['--quiet'], { MIGOBS_WORKERS: '2' }).code).toBe(1);
    writeFileSync(join(r.defs, 'm12.yaml'), EXAMPLE.replace(/^ {2}id: orders-region-backfill\b/m, '  id: m12'));
    const res = gen(r, [], { MIGOBS_WORKERS: '2' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('12 migration(s): 97 file(s) written, 0 unchanged');
    expect(readdirSync(r.out).filter((f) => f.startsWith('.migobs-staging'))).toEqual([]);
  });
});

