/**
 * Atomic output under SIGKILL: `migobs generate` of many migrations runs as a real child process
 * and is killed at seeded random moments. After every kill each output file must be its old
 * complete version (A) or its new complete version (B), never a truncation or missing; the next
 * full run takes over the dead run's lock and leaves no staging folder behind.
 *
 * Kill moments: uniform over a whole run, shortly after the staging folder appears (the write
 * window is a small part of a run, so pure uniform kills would rarely land in it), and as soon as
 * the renames have begun.
 * Reproduce a failure with MIGOBS_ATOMIC_SEED=<seed printed below>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { OUT_META } from '../../src/generate/names';
import { BIN, migobs, REPO } from '../helpers/cli';

const SEED = Number(process.env.MIGOBS_ATOMIC_SEED ?? 20_251_125);
const KILLS = 6; // two of each kill mode
/** Copies of the quickest example (each with its own id): many migrations, about 3 s a run on an idle machine (the timeout allows a loaded one). */
const COPIES = 20;
const EXAMPLE = 'examples/users-email-schema-only.yaml';

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every file under a folder, relative path -> bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function writeTree(dir: string, tree: Map<string, Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, bytes] of tree) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
}

/**
 * Staged files not yet renamed into place, counted in the first folder the switch renames from
 * (`<staging>/new/docs/<first id>`; a title change leaves the alertmanager files alone): it grows
 * while staging and shrinks once the renames begin.
 */
function stagedCount(out: string): number {
  try {
    const staging = readdirSync(out).find((n) => n.startsWith(OUT_META.stagingPrefix));
    if (!staging) return 0;
    const docs = join(out, staging, 'new', 'docs');
    const first = readdirSync(docs).sort()[0];
    return first ? readdirSync(join(docs, first)).length : 0;
  } catch {
    return 0; // not created yet, or already gone
  }
}

interface KillRun {
  killed: boolean;
  /** When the first temp file showed in `watchDir`, and when the process ended (ms from start). */
  firstTempMs?: number;
  /** When the renames began (the first staged file left the staging folder). */
  firstFinalMs?: number;
  endMs: number;
}

/**
 * When to SIGKILL: `delayMs` after the start (uniform); `delayMs` after the first staged file shows
 * (in-staging); or as soon as staged files start to leave the staging folder, i.e. the renames
 * have begun (in-rename).
 */
type KillMode = 'uniform' | 'in-staging' | 'in-rename';

/** Run generate as a child process, killed as `kill` says (or left to finish). */
function run(args: string[], watchDir: string, kill?: { mode: KillMode; delayMs: number }): Promise<KillRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: 'ignore' });
    let firstTempMs: number | undefined;
    let firstFinalMs: number | undefined;
    let maxTemps = 0;
    let ended = false;
    const killNow = (): void => {
      if (!ended) child.kill('SIGKILL');
    };
    if (kill?.mode === 'uniform') setTimeout(killNow, kill.delayMs);
    // A cheap poll of one staging folder.
    const poll = setInterval(() => {
      const temps = stagedCount(watchDir);
      if (firstTempMs === undefined && temps > 0) {
        firstTempMs = Date.now() - started;
        if (kill?.mode === 'in-staging') setTimeout(killNow, kill.delayMs);
      }
      if (temps < maxTemps) {
        if (kill?.mode === 'in-rename') killNow();
        if (firstFinalMs === undefined) firstFinalMs = Date.now() - started;
      }
      maxTemps = Math.max(maxTemps, temps);
    }, 1);
    child.on('exit', (code, signal) => {
      ended = true;
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', endMs: Date.now() - started, ...(firstTempMs !== undefined ? { firstTempMs } : {}), ...(firstFinalMs !== undefined ? { firstFinalMs } : {}) });
    });
  });
}

let work: string;
const files: string[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'migobs-atomic-'));
  mkdirSync(join(work, 'defs'));
  const text = readFileSync(join(REPO, EXAMPLE), 'utf8');
  for (let c = 0; c < COPIES; c++) {
    const file = join(work, 'defs', `m${String(c).padStart(2, '0')}.yaml`);
    writeFileSync(file, text.replace(/^( {2}id: )\S+/m, `$1atomic-${String(c).padStart(2, '0')}`));
    files.push(file);
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Version B: every migration's title changes, which changes every generated file's bytes. */
function makeVersionB(): void {
  for (const f of files) writeFileSync(f, readFileSync(f, 'utf8').replace(/^( {2}title: )(.*)$/m, '$1$2, second revision'));
}

describe('generate is atomic under SIGKILL', () => {
  it(`every file is its old or new version after each kill, and the next run cleans up (seed ${SEED})`, async () => {
    // eslint-disable-next-line no-console
    console.log(`atomic-kill seed: ${SEED} (MIGOBS_ATOMIC_SEED=${SEED} reproduces the kill moments)`);
    const out = join(work, 'out');
    const args = ['generate', ...files, '--out-dir', out, '--quiet'];

    const watchDir = out;

    const a = await run(args, watchDir);
    expect(a.killed).toBe(false);
    const treeA = readTree(out);
    expect(treeA.size).toBe(files.length * 8 + 2); // + provisioning and the manifest
    // From the first temp file, staging takes `renamesAtMs`; then the renames run.
    const writeWindowMs = Math.max(5, a.endMs - (a.firstTempMs ?? a.endMs));
    const renamesAtMs = Math.max(0, (a.firstFinalMs ?? a.endMs) - (a.firstTempMs ?? a.endMs));

    makeVersionB();
    const random = mulberry32(SEED);
    const afterKills: Array<{ mode: string; delayMs: number; killed: boolean; tree: Map<string, Buffer> }> = [];
    for (let i = 0; i < KILLS; i++) {
      writeTree(out, treeA);
      const mode = (['uniform', 'in-staging', 'in-rename'] as const)[i % 3]!;
      const delayMs = Math.round(random() * (mode === 'uniform' ? a.endMs * 1.1 : renamesAtMs));
      const r = await run(args, watchDir, { mode, delayMs });
      afterKills.push({ mode, delayMs, killed: r.killed, tree: readTree(out) });
    }

    // Plant leftovers of a killed run too (a staging folder, a lock of a process that is gone), so
    // the clean-up and the lock take-over are proven even if no kill left any.
    mkdirSync(join(out, `${OUT_META.stagingPrefix}999999-0`, 'new', 'docs'), { recursive: true });
    writeFileSync(join(out, `${OUT_META.stagingPrefix}999999-0`, 'new', 'docs', 'runbook.md'), 'half a fi');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, OUT_META.lock), JSON.stringify({ pid: dead, host: hostname(), since: new Date(0).toISOString(), token: 'dead' }));
    const b = migobs(args, { timeoutMs: 240_000 });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`took over the stale lock ${out}/${OUT_META.lock} of pid ${dead}`);
    const treeB = readTree(out);
    expect([...treeB.keys()].filter((p) => p.includes(OUT_META.stagingPrefix) || p === OUT_META.lock)).toEqual([]);
    expect([...treeB.keys()].sort()).toEqual([...treeA.keys()].sort());

    const changedFiles = [...treeA.keys()].filter((p) => !treeA.get(p)!.equals(treeB.get(p)!));
    expect(changedFiles.length).toBeGreaterThan(files.length * 5); // B really differs from A

    let sawMix = false;
    let sawLeftovers = false;
    for (const k of afterKills) {
      const where = `${k.mode} kill after ${k.delayMs} ms`;
      for (const [rel, bytesA] of treeA) {
        const now = k.tree.get(rel);
        expect(now, `${rel} missing after ${where}`).toBeDefined();
        const isA = now!.equals(bytesA);
        const isB = now!.equals(treeB.get(rel)!);
        expect(isA || isB, `${rel} is neither the old nor the new version after ${where}`).toBe(true);
      }
      // Anything else a killed run leaves is its staging folder and its lock, never a stray file.
      const other = [...k.tree.keys()].filter((p) => !treeA.has(p));
      for (const t of other) expect(t.startsWith(OUT_META.stagingPrefix) || t === OUT_META.lock, t).toBe(true);
      if (other.some((t) => t.startsWith(OUT_META.stagingPrefix))) sawLeftovers = true;
      const states = changedFiles.map((p) => k.tree.get(p)!.equals(treeB.get(p)!));
      if (states.includes(true) && states.includes(false)) sawMix = true;
    }
    // eslint-disable-next-line no-console
    console.log(`atomic-kill: write window ${writeWindowMs} ms (renames from +${renamesAtMs} ms) of a ${a.endMs} ms run; ${afterKills.filter((k) => k.killed).length}/${KILLS} runs killed (${afterKills.map((k) => `${k.mode}${k.mode === 'in-rename' ? '' : ` +${k.delayMs}ms`}`).join(', ')}); a kill caught the renames half done: ${sawMix}; a kill left temp files: ${sawLeftovers}`);
    expect(afterKills.some((k) => k.killed)).toBe(true);
    expect(sawMix || sawLeftovers, 'no kill landed while files were being written').toBe(true);
  }, 600_000);
});
