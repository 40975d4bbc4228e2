/**
 * Writes never leave the output folder and never leave a truncated or half-switched folder: the
 * real CLI against the real file system (issue "never write outside or half a file").
 * - a symbolic link at the output folder or any folder inside it is refused, naming the link;
 * - a full disk (a small tmpfs, as root) exits 1 with every file old; a write cut short is never
 *   taken for a complete file;
 * - a rename failing midway (an immutable file, as root) puts every file back;
 * - two concurrent runs on one folder take turns through the lock; a live holder makes a run wait
 *   or fail naming the lock and the holder; a dead holder's lock is taken over.
 * Tests that need root say so on the console when they are skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES, OUT_META } from '../../src/generate/names';
import { BIN, migobs, REPO } from '../helpers/cli';
import { waitFor } from '../helpers/services';

const EXAMPLE = 'examples/orders-region-backfill.yaml';
const ID = 'orders-region-backfill';
const isRoot = process.getuid?.() === 0;
const hasTool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'migobs-write-safety-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Every entry under a folder: path -> file bytes, `dir`, or `link -> target`. Never follows links. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(p, r);
      } else out[r] = readFileSync(p, 'latin1');
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

const leftovers = (dir: string): string[] => Object.keys(snapshot(dir)).filter((p) => p.includes(OUT_META.stagingPrefix) || p.includes('.migobs-tmp-') || p.endsWith(OUT_META.lock));

function fresh(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('symbolic links inside the output folder are refused, never written through', () => {
  it.each([
    ['the output folder itself', ''],
    ['out/grafana', 'grafana'],
    ['out/docs', 'docs'],
    ['out/prometheus/rules', 'prometheus/rules'],
  ])('%s is a link to a folder outside: exit 1 naming the link, the outside folder untouched', (_n, rel) => {
    const root = fresh(`link-${rel.replace(/\//g, '-') || 'out'}`);
    const outside = join(root, 'outside');
    mkdirSync(outside);
    // A file named like a migobs temp file: a run must not delete it there.
    writeFileSync(join(outside, '.migobs-tmp-1-0-runbook.md'), 'someone else\'s file\n');
    const out = join(root, 'out');
    if (rel === '') symlinkSync(outside, out);
    else {
      mkdirSync(join(out, rel, '..'), { recursive: true });
      symlinkSync(outside, join(out, rel));
    }
    const before = snapshot(root);
    const r = migobs(['generate', EXAMPLE, '--out-dir', out]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`migobs: ${join(out, rel)} is a symbolic link (to ${outside}): migobs never writes through a link`);
    expect(r.stderr).toContain('nothing was changed');
    expect(snapshot(root)).toEqual(before);
  });
});

/** Fill a file system: a reserve file of `keepFree` bytes, filler until it is full, then drop the reserve. */
function fillLeaving(dir: string, keepFree: number): void {
  writeFileSync(join(dir, 'reserve'), Buffer.alloc(keepFree, 1));
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 2);
  try {
    for (;;) if (writeSync(fd, chunk) < chunk.length) break;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  unlinkSync(join(dir, 'reserve'));
}

describe('a full disk', () => {
  const canMount = isRoot && hasTool('mount') && hasTool('umount');
  // eslint-disable-next-line no-console
  if (!canMount) console.log('write-safety: SKIPPED the full-disk test: it mounts a small tmpfs and needs root (run the suite as root to include it)');

  it.skipIf(!canMount)('a write cut short on a full tmpfs: exit 1 saying so, every file old, nothing staged or locked left', () => {
    const mnt = fresh('tmpfs');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    try {
      const defs = join(mnt, 'defs');
      mkdirSync(defs);
      const def = join(defs, `${ID}.yaml`);
      const text = readFileSync(join(REPO, EXAMPLE), 'utf8');
      writeFileSync(def, text);
      const out = join(mnt, 'out');
      const a = migobs(['generate', def, '--out-dir', out, '-q']);
      expect(a.code, a.stderr).toBe(0);
      const before = snapshot(out);

      // Version B changes only the runbook (to about 42 KB): the one file the run has to write.
      const steps = Array.from({ length: 100 }, (_, i) => JSON.stringify(`Check shard ${i}: SELECT count(*) FROM orders WHERE region IS NULL returns 0 on every replica of the cluster`));
      writeFileSync(def, text.replace(/^spec:\n/m, `spec:\n  verification: [${steps.join(', ')}]\n`));
      // 16 KiB free: the runbook's first write is cut short (write(2) returns fewer bytes), the next fails.
      fillLeaving(mnt, 16 * 1024);

      const b = migobs(['generate', def, '--out-dir', out]);
      expect(b.code, b.stdout + b.stderr).toBe(1);
      expect(b.stderr).toMatch(/^migobs: cannot write to the output folder .*: no space left on the device .*; nothing was changed$/m);
      expect(b.stdout).toBe('');
      expect(snapshot(out)).toEqual(before);
      expect(leftovers(out)).toEqual([]);
    } finally {
      const u = spawnSync('umount', [mnt], { encoding: 'utf8' });
      if (u.status !== 0) spawnSync('umount', ['-l', mnt]);
    }
  });
});

describe('a folder inside the output folder on another file system', () => {
  const canMount = isRoot && hasTool('mount') && hasTool('umount');
  // eslint-disable-next-line no-console
  if (!canMount) console.log('write-safety: SKIPPED the mount-inside-the-output-folder test: it mounts a tmpfs and needs root');

  it.skipIf(!canMount)('is refused before any rename (a rename cannot cross file systems), nothing changed', () => {
    const out = join(fresh('exdev'), 'out');
    expect(migobs(['generate', EXAMPLE, '--out-dir', out, '-q']).code).toBe(0);
    const docs = join(out, 'docs');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', docs], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    try {
      const before = snapshot(out);
      const r = migobs(['generate', EXAMPLE, '--out-dir', out]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/a folder inside the output folder is on another file system: .*docs\/orders-region-backfill is on another file system than .* \(a mount inside it\); mount the whole output folder instead .*; nothing was changed/);
      expect(snapshot(out)).toEqual(before);
    } finally {
      const u = spawnSync('umount', [docs], { encoding: 'utf8' });
      if (u.status !== 0) spawnSync('umount', ['-l', docs]);
    }
  });
});

describe('a rename failing midway', () => {
  const canChattr = isRoot && hasTool('chattr');
  // eslint-disable-next-line no-console
  if (!canChattr) console.log('write-safety: SKIPPED the immutable-file test: chattr +i needs root (run the suite as root to include it)');

  it.skipIf(!canChattr)('an immutable output file late in the switch: every file already switched is put back, exit 1', () => {
    const root = fresh('immutable');
    const def = join(root, `${ID}.yaml`);
    const text = readFileSync(join(REPO, EXAMPLE), 'utf8');
    writeFileSync(def, text);
    const out = join(root, 'out');
    expect(migobs(['generate', def, '--out-dir', out, '-q']).code).toBe(0);
    // B: a new title changes every file; the tests file is renamed last but one (before the manifest).
    writeFileSync(def, text.replace(/^( {2}title: )(.*)$/m, '$1$2, second revision'));
    const locked = join(out, FILES.rulesTest(ID));
    const c = spawnSync('chattr', ['+i', locked], { encoding: 'utf8' });
    if (c.status !== 0) {
      // eslint-disable-next-line no-console
      console.log(`write-safety: SKIPPED the immutable-file test: this file system does not support chattr +i (${c.stderr.trim()})`);
      return;
    }
    try {
      const before = snapshot(out);
      const r = migobs(['generate', def, '--out-dir', out]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`replacing ${locked}: operation not permitted`);
      expect(r.stderr).toContain('every file was put back, nothing was changed');
      expect(snapshot(out)).toEqual(before);
      expect(leftovers(out)).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', locked]);
    }
  });
});

describe('concurrent runs on one output folder', () => {
  /** A `migobs generate` child whose output we can watch while it runs. */
  function start(args: string[]): { child: ChildProcess; stderr: () => string; done: Promise<number> } {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const done = new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
    return { child, stderr: () => err, done };
  }

  const ALL = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `examples/${f}`);

  it('two real processes: the second waits for the first (named in its message), both finish, the folder is whole', async () => {
    const out = join(fresh('concurrent'), 'out');
    const args = ['generate', ...ALL, '--out-dir', out, '-q'];
    const lock = join(out, OUT_META.lock);
    const holds = (pid: number): boolean => {
      try {
        return (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid === pid;
      } catch {
        return false;
      }
    };
    const procs: ChildProcess[] = [];
    try {
      // Run A and freeze it while it holds the lock (it takes the lock before reading the
      // definitions, so the window is the whole generation). If A finished before we saw its
      // lock (a very fast machine), run it again.
      let a: ReturnType<typeof start> | undefined;
      for (let attempt = 0; attempt < 5 && !a; attempt++) {
        const candidate = start(args);
        procs.push(candidate.child);
        let ended = false;
        void candidate.done.then(() => (ended = true));
        const seen = await waitFor('run A to take the lock or finish', () => (holds(candidate.child.pid!) ? 'locked' : ended ? 'ended' : undefined), 120_000, 2);
        if (seen === 'locked') {
          process.kill(candidate.child.pid!, 'SIGSTOP');
          a = candidate;
        } else await candidate.done;
      }
      expect(a, 'run A never held the lock long enough to be seen').toBeDefined();

      const b = start([...args.slice(0, -1), '--lock-timeout', '10m']);
      procs.push(b.child);
      await waitFor('run B to wait for the lock', () => (b.stderr().includes('waiting for') ? true : undefined), 120_000, 20);
      expect(b.stderr()).toContain(`migobs: waiting for ${lock}: another migobs generate is writing this folder (pid ${a!.child.pid} on host ${hostname()}, since `);

      process.kill(a!.child.pid!, 'SIGCONT');
      expect(await a!.done, a!.stderr()).toBe(0);
      expect(await b.done, b.stderr()).toBe(0);
      expect(leftovers(out)).toEqual([]);
      const check = migobs(['generate', ...ALL, '--out-dir', out, '--check'], { timeoutMs: 240_000 });
      expect(check.code, check.stderr).toBe(0);
    } finally {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }, 300_000);

  it('a live holder and --lock-timeout 0s: exit 1 at once, naming the lock and the holder; nothing written', () => {
    const out = fresh('held');
    const holder = { pid: process.pid, host: hostname(), since: '2025-01-01T00:00:00.000Z', token: 'held-by-the-test' };
    writeFileSync(join(out, OUT_META.lock), JSON.stringify(holder));
    const r = migobs(['generate', EXAMPLE, '--out-dir', out, '--lock-timeout', '0s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`migobs: ${out}/${OUT_META.lock} is held by another migobs generate (pid ${process.pid} on host ${hostname()}, since 2025-01-01T00:00:00.000Z)`);
    expect(r.stderr).toContain(`if no migobs runs as pid ${process.pid} on ${hostname()}, delete ${out}/${OUT_META.lock}`);
    expect(Object.keys(snapshot(out))).toEqual([OUT_META.lock]);
  });

  it('a lock from another host is never taken over, even when that pid does not run here', () => {
    const out = fresh('other-host');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, OUT_META.lock), JSON.stringify({ pid: dead, host: `not-${hostname()}`, since: '2025-01-01T00:00:00.000Z', token: 't' }));
    const r = migobs(['generate', EXAMPLE, '--out-dir', out, '--lock-timeout', '0s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is held by another migobs generate (pid ${dead} on host not-${hostname()}`);
  });

  it('a lock whose process is gone is taken over with a message', () => {
    const out = fresh('stale');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, OUT_META.lock), JSON.stringify({ pid: dead, host: hostname(), since: '2025-01-01T00:00:00.000Z', token: 't' }));
    // What a run killed while taking the lock leaves; a live process's is left alone.
    writeFileSync(join(out, `${OUT_META.lock}.${dead}.abc.tmp`), '{}');
    writeFileSync(join(out, `${OUT_META.lock}.${process.pid}.def.tmp`), '{}');
    const r = migobs(['generate', EXAMPLE, '--out-dir', out, '--lock-timeout', '0s', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`migobs: took over the stale lock ${out}/${OUT_META.lock} of pid ${dead} on host ${hostname()}, since 2025-01-01T00:00:00.000Z: that process is gone`);
    expect(existsSync(join(out, OUT_META.lock))).toBe(false);
    expect(existsSync(join(out, `${OUT_META.lock}.${dead}.abc.tmp`))).toBe(false);
    expect(existsSync(join(out, `${OUT_META.lock}.${process.pid}.def.tmp`))).toBe(true);
    expect(existsSync(join(out, FILES.rules(ID)))).toBe(true);
  });
});
