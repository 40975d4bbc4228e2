/**
 * Hostile and broken input, end to end: `migobs generate --out-dir <tmp>` as a real child process
 * on every corpus input. A refused input exits 1 with `file:line:col: message` (exact, from the
 * table), no stack trace, in under a second, and leaves the out dir byte-for-byte as it was. A
 * legitimately valid one exits 0 and its output passes promtool and the Grafana schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FILES, OUT_META } from '../../src/generate/names';
import { MAX_FILE_BYTES } from '../../src/load/source';
import { loadDefinitionText } from '../../src/pipeline';
import { migobs, REPO } from '../helpers/cli';
import { isOwnHtml, renderedHtml, renderedLinks } from '../helpers/markdown';
import { validateDashboard } from '../helpers/grafana-schema';
import { runTool } from '../helpers/tools';
import { CORPUS, VALID } from './corpus';

const INPUTS = 'test/hostile/inputs';
const ID = 'orders-region-backfill';
// How fast a refusal and a generation must be is a goal of `npm run bench` (it runs this corpus),
// not an assertion here: a loaded machine would fail it.
const STACK = /\n\s+at .+:\d+:\d+\)?\n/;

let tmp: string;
const validOutputs: string[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'migobs-hostile-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** An out dir that already holds something, so "untouched" means something. */
function seededOutDir(name: string): string {
  const dir = join(tmp, 'out', name);
  mkdirSync(join(dir, FILES.rules(ID), '..'), { recursive: true });
  writeFileSync(join(dir, 'keep.txt'), 'committed by someone else\n');
  writeFileSync(join(dir, FILES.rules(ID)), '# an older generation\n');
  return dir;
}

/** Every entry under a folder: path -> type and content hash (files) or 'dir'. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out[r] = 'dir';
        walk(p, r);
      } else out[r] = `${st.mode.toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir, '');
  return out;
}

function generate(file: string, outDir: string): { code: number; stdout: string; stderr: string } {
  return migobs(['generate', file, '--out-dir', outDir, '--quiet'], { timeoutMs: 60_000 });
}

function expectRefused(file: string, expected: string, outDir: string): void {
  const before = snapshot(outDir);
  const r = generate(file, outDir);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.split('\n')[0]).toBe(`${file}:${expected}`);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stdout).toBe('');
  expect(snapshot(outDir)).toEqual(before);
}

function expectGenerated(file: string, outDir: string): void {
  const r = generate(file, outDir);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(STACK);
  const snap = snapshot(outDir);
  // No staging folder, temp file or lock left behind.
  expect(Object.keys(snap).filter((p) => p.includes(OUT_META.stagingPrefix) || p.includes('.migobs-tmp-') || p.includes(OUT_META.lock))).toEqual([]);
  expect(snap['keep.txt']).toBeDefined(); // files migobs does not own stay
  for (const f of Object.keys(snap).filter((p) => snap[p] !== 'dir' && p !== 'keep.txt' && p !== OUT_META.manifest)) {
    const text = readFileSync(join(outDir, f), 'utf8');
    if (f.endsWith('.yaml')) expect(() => parse(text), f).not.toThrow();
    if (f.endsWith('.json')) expect(validateDashboard(JSON.parse(text)), f).toEqual([]);
    // Markdown as a renderer reads it: no HTML but migobs' own, no link that is not http(s) or relative.
    if (f.endsWith('.md')) {
      expect(renderedHtml(text).filter((h) => !isOwnHtml(h)), f).toEqual([]);
      for (const l of renderedLinks(text)) expect(l.href, f).toMatch(/^(https?:\/\/|#|[A-Za-z0-9_.\/-]+(#[A-Za-z0-9_-]+)?$)/);
      expect(text.split('<a id="gate-replication-lag"></a>'), f).toHaveLength(f.endsWith('/runbook.md') ? 2 : 1);
    }
  }
  validOutputs.push(join(outDir, FILES.rules(ID)));
}

describe('hostile corpus', () => {
  it('has an input file for every table row and a row for every file (at least 50)', () => {
    const files = readdirSync(join(REPO, INPUTS)).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(CORPUS.map(([n]) => n).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CORPUS)('%s', (name, expected) => {
    const file = `${INPUTS}/${name}.yaml`;
    const outDir = seededOutDir(name);
    if (expected === VALID) expectGenerated(file, outDir);
    else expectRefused(file, expected, outDir);
  });

  it('validate and lint read the whole corpus in one run: the same located messages, no stack trace', () => {
    const files = CORPUS.map(([n]) => `${INPUTS}/${n}.yaml`);
    const v = migobs(['validate', ...files]);
    expect(v.code).toBe(1);
    expect(v.stderr).not.toMatch(STACK);
    const lines = new Set(v.stderr.split('\n'));
    for (const [n, expected] of CORPUS) if (expected !== VALID) expect(lines.has(`${INPUTS}/${n}.yaml:${expected}`), n).toBe(true);
    const l = migobs(['lint', ...files]);
    expect(l.code).toBe(1);
    expect(l.stdout + l.stderr).not.toMatch(STACK);
  });

  it('every valid input generated rules that promtool accepts', () => {
    expect(validOutputs.length).toBe(CORPUS.filter(([, e]) => e === VALID).length);
    const r = runTool('promtool', ['check', 'rules', ...validOutputs]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

/** Inputs too big to commit, or that must be built to an exact size, made here. */
describe('hostile inputs made at test time', () => {
  const base = readFileSync(join(REPO, 'test/fixtures/valid/design-example.yaml'), 'utf8');

  it('a 50 MB file is refused by size before it is read', () => {
    const file = join(tmp, 'fifty-mb.yaml');
    writeFileSync(file, base + '# ' + 'x'.repeat(50 * 1024 * 1024) + '\n');
    const size = lstatSync(file).size;
    expectRefused(file, `1:1: file is ${size} bytes, larger than the ${MAX_FILE_BYTES}-byte limit for a definition (a migration definition is a few kilobytes; check that this is the right file)`, seededOutDir('fifty-mb'));
  });

  it('one byte over the size limit is refused; at the limit it is read', () => {
    const padded = (n: number): string => base + '#'.padEnd(n - Buffer.byteLength(base) - 1, 'x') + '\n';
    const over = join(tmp, 'over.yaml');
    writeFileSync(over, padded(MAX_FILE_BYTES + 1));
    expectRefused(over, `1:1: file is ${MAX_FILE_BYTES + 1} bytes, larger than the ${MAX_FILE_BYTES}-byte limit for a definition (a migration definition is a few kilobytes; check that this is the right file)`, seededOutDir('over'));
    const at = join(tmp, 'at-limit.yaml');
    writeFileSync(at, padded(MAX_FILE_BYTES));
    const r = migobs(['validate', at]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('10,000 levels of block mapping (50 MB of indentation) are refused by size', () => {
    const file = join(tmp, 'block-map-10000.yaml');
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(`${' '.repeat(i)}a:`);
    writeFileSync(file, lines.join('\n') + ' 1\n');
    const size = lstatSync(file).size;
    expect(size).toBeGreaterThan(MAX_FILE_BYTES);
    expectRefused(file, `1:1: file is ${size} bytes, larger than the ${MAX_FILE_BYTES}-byte limit for a definition (a migration definition is a few kilobytes; check that this is the right file)`, seededOutDir('block-map-10000'));
  });

  it('1,000 levels of block mapping that fit the size limit are refused by depth', () => {
    const file = join(tmp, 'block-map-1000.yaml');
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(`${' '.repeat(i)}a:`);
    writeFileSync(file, lines.join('\n') + ' 1\n');
    expectRefused(file, '514:513: nesting is deeper than 64 levels (a definition needs only a few levels; this looks like a malformed or hostile file)', seededOutDir('block-map-1000'));
  });

  // 1,000 gates: refused. Each gate adds a panel, three alerts, a runbook section and promtool
  // cases that show every other gate quiet, so outputs grow with the square of the gate count.
  it('1,000 gates are refused with the limit, at spec.gates', () => {
    const file = join(tmp, 'gates-1000.yaml');
    const gates = Array.from({ length: 1000 }, (_, i) => `    - {id: gate-${i}, signal: replicationLag, pause: ${i + 1}, rollback: ${2 * i + 2}}`);
    writeFileSync(file, base.replace(/^ {2}gates:.*\n/m, (m) => m + gates.join('\n') + '\n'));
    const total = 1000 + loadDefinitionText('base.yaml', base).migrations[0]!.model.gates.length;
    expectRefused(file, `17:3: this migration has ${total} enabled gates (the backfill preset\'s included); at most 100 are supported (split it into several migrations, or disable gates nobody acts on (\`enabled: false\`))`, seededOutDir('gates-1000'));
  });
});

describe('an out dir that cannot be written (as root, too)', () => {
  const valid = 'examples/orders-region-backfill.yaml';

  function expectOutDirRefused(outDir: string, message: RegExp, watch: string = outDir): void {
    const before = existsSync(watch) ? snapshot(watch) : undefined;
    const r = generate(valid, outDir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
      if (before) expect(snapshot(watch)).toEqual(before);
    else expect(existsSync(watch)).toBe(false);
  }

  it('the out dir is a file', () => {
    const f = join(tmp, 'a-file');
    writeFileSync(f, 'x');
    expectOutDirRefused(f, /^migobs: output folder .*a-file exists and is not a folder; choose another --out-dir$/m, tmp);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });

  it('the out dir is under a file', () => {
    const f = join(tmp, 'another-file');
    writeFileSync(f, 'x');
    expectOutDirRefused(join(f, 'out'), /^migobs: cannot write to the output folder .*another-file\/out: a file is in the way of a folder \(ENOTDIR at .*\); nothing was changed$/m, tmp);
  });

  it('the out dir is in /proc, where not even root can create folders (and mkdir -p must not spin)', () => {
    expectOutDirRefused(`/proc/self/migobs-out-${process.pid}`, /^migobs: cannot write to the output folder \/proc\/self\/migobs-out-\d+: the folder cannot be created there \(ENOENT at .*\); nothing was changed$/m);
  });

  it('a migration folder in the out dir is a file: nothing is written', () => {
    const dir = seededOutDir('id-is-file');
    mkdirSync(join(dir, FILES.runbook(ID), '..', '..'), { recursive: true });
    writeFileSync(join(dir, FILES.runbook(ID), '..'), 'not a folder');
    expectOutDirRefused(dir, /^migobs: cannot write to the output folder .*: a file is in the way of a folder \(at .*docs\/orders-region-backfill\); move it or choose another --out-dir; nothing was changed$/m);
  });

  it('an output file is a folder: nothing is written, not even the other files', () => {
    const dir = seededOutDir('file-is-folder');
    mkdirSync(join(dir, FILES.runbook(ID)), { recursive: true });
    expectOutDirRefused(dir, /^migobs: cannot write .*docs\/orders-region-backfill\/runbook\.md: a folder is in the way of the file; move it or choose another --out-dir; nothing was changed$/m);
  });
});
