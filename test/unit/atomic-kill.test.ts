/**
 * Atomic output under SIGKILL: `migobs generate` of many migrations runs as a real child process
 * and is killed at seeded random moments. After every kill each output file must be its old
 * complete version (A) or its new complete version (B), never a mix, a truncation or missing; the
 * next full run must leave no `.migobs-tmp-*` file behind.
 *
 * Kill moments: half uniform over a whole run, half shortly after the first temp file appears (the
 * write window is a small part of a run, so pure uniform kills would rarely land in it).
 * Reproduce a failure with MIGOBS_ATOMIC_SEED=<seed printed below>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TEMP_PREFIX } from '../../src/write/atomic';
import { BIN, migobs, REPO } from '../helpers/cli';

const SEED = Number(process.env.MIGOBS_ATOMIC_SEED ?? 20_251_125);
const KILLS = 6; // two of each kill mode
/** Copies of the quickest example (each with its own id): many migrations, about 3 s a run. */
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

function tempCount(dir: string): number {
  try {
    return readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX)).length;
  } catch {
    return 0; // not created yet
  }
}

function hasFinalFile(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => !n.startsWith(TEMP_PREFIX));
  } catch {
    return false;
  }
}

interface KillRun {
  killed: boolean;
  /** When the first temp file showed in `watchDir`, and when the process ended (ms from start). */
  firstTempMs?: number;
  /** When the first renamed (final) file showed in `watchDir`. */
  firstFinalMs?: number;
  endMs: number;
}

/**
 * When to SIGKILL: `delayMs` after the start (uniform); `delayMs` after the first temp file shows
 * in `watchDir` (in-staging); or as soon as temp files start to vanish from it, i.e. the renames
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
    // A cheap poll of one folder: the first one the run stages files in.
    const poll = setInterval(() => {
      const temps = tempCount(watchDir);
      if (firstTempMs === undefined && temps > 0) {
        firstTempMs = Date.now() - started;
        if (kill?.mode === 'in-staging') setTimeout(killNow, kill.delayMs);
      }
      if (kill?.mode === 'in-rename' && temps < maxTemps) killNow();
      maxTemps = Math.max(maxTemps, temps);
      if (firstTempMs !== undefined && firstFinalMs === undefined && hasFinalFile(watchDir)) firstFinalMs = Date.now() - started;
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

    const watchDir = join(out, 'atomic-00'); // sorts first among the folders whose files change

    const a = await run(args, watchDir);
    expect(a.killed).toBe(false);
    const treeA = readTree(out);
    expect(treeA.size).toBe(files.length * 8 + 1);
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

    // Plant leftovers of a killed run too, so the clean-up is proven even if no kill left any.
    for (const dir of new Set([...treeA.keys()].map((p) => join(out, p, '..')))) writeFileSync(join(dir, `${TEMP_PREFIX}999999-0-rules.yaml`), 'half a fi');
    const b = migobs(args);
    expect(b.code, b.stderr).toBe(0);
    const treeB = readTree(out);
    expect([...treeB.keys()].filter((p) => p.includes(TEMP_PREFIX))).toEqual([]);
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
      const temps = [...k.tree.keys()].filter((p) => p.includes(TEMP_PREFIX));
      for (const t of temps) expect(t.split('/').pop()!.startsWith(TEMP_PREFIX)).toBe(true);
      if (temps.length) sawLeftovers = true;
      const states = changedFiles.map((p) => k.tree.get(p)!.equals(treeB.get(p)!));
      if (states.includes(true) && states.includes(false)) sawMix = true;
    }
    // eslint-disable-next-line no-console
    console.log(`atomic-kill: write window ${writeWindowMs} ms (renames from +${renamesAtMs} ms) of a ${a.endMs} ms run; ${afterKills.filter((k) => k.killed).length}/${KILLS} runs killed (${afterKills.map((k) => `${k.mode}${k.mode === 'in-rename' ? '' : ` +${k.delayMs}ms`}`).join(', ')}); a kill caught the renames half done: ${sawMix}; a kill left temp files: ${sawLeftovers}`);
    expect(afterKills.some((k) => k.killed)).toBe(true);
    expect(sawMix || sawLeftovers, 'no kill landed while files were being written').toBe(true);
  }, 60_000);
});
