/**
 * Which of node's own modules a command loads (issue: "nothing loaded that a command does not
 * use"). Each costs start-up time in every pre-commit run: node:v8 brings node's whole stream
 * implementation, node:worker_threads its messaging, node:child_process net and dgram. Read from
 * process.moduleLoadList, written at exit by a preloaded script; no timings are asserted.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/cli';

const EXAMPLE = join(REPO, 'examples', 'orders-region-backfill.yaml');
let dir: string;
let preload: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migobs-modules-'));
  preload = join(dir, 'report-modules.cjs');
  writeFileSync(
    preload,
    // Written with fs.writeSync: process.stderr itself would load the stream modules.
    "process.on('exit', () => require('node:fs').writeSync(2, '\\nMODULES ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI run with `args`: its exit code and process.moduleLoadList at exit, in load order. */
function loadListOf(args: string[], env: Record<string, string> = {}, stdout: 'pipe' | number = 'pipe'): { code: number | null; stderr: string; list: string[] } {
  const r = spawnSync(process.execPath, ['-r', preload, BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', MIGOBS_TURBOFAN: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', stdout, 'pipe'],
  });
  const line = /^MODULES (.*)$/m.exec(r.stderr);
  expect(line, r.stderr).not.toBeNull();
  return { code: r.status, stderr: r.stderr, list: JSON.parse(line![1]!) as string[] };
}

/** Node's modules a successful run loaded (`stream`, `crypto`, ...). */
function builtinsOf(args: string[], env: Record<string, string> = {}, stdout: 'pipe' | number = 'pipe'): string[] {
  const r = loadListOf(args, env, stdout);
  expect(r.code, r.stderr).toBe(0);
  return r.list.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
}

describe("node's modules a command loads", () => {
  it('validate: no streams, no node:v8, no crypto, no threads, no child processes', () => {
    const loaded = builtinsOf(['validate', EXAMPLE]);
    for (const m of ['stream', 'v8', 'crypto', 'worker_threads', 'child_process', 'os']) expect(loaded, m).not.toContain(m);
  });

  it('validate with its output thrown away (/dev/null, colour not ruled out): no streams either', () => {
    // /dev/null is a character device, as a terminal is; it must be told apart without building
    // process.stdout, or every benchmark and quiet hook pays for the stream machinery.
    const devNull = openSync('/dev/null', 'w');
    try {
      const env = { NO_COLOR: '', FORCE_COLOR: '' };
      expect(builtinsOf(['validate', EXAMPLE], env, devNull)).not.toContain('stream');
    } finally {
      closeSync(devNull);
    }
  });

  it.each<[string, string[], string[], Record<string, string>]>([
    ['generate', ['generate', EXAMPLE, '--out-dir', 'OUT', '--quiet'], ['crypto', 'stream', 'os'], { MIGOBS_NO_CACHE: '1' }],
    ['gate', ['gate', EXAMPLE, '--prometheus-url', 'http://127.0.0.1:1', '--timeout', '2s'], ['http', 'https', 'tls', 'net', 'crypto'], { MIGOBS_NO_CACHE: '1' }],
    // With its result cache, as usually run: the cache's keys are hashes.
    ['lint', ['lint', EXAMPLE], ['crypto', 'stream'], { MIGOBS_NO_CACHE: '', XDG_CACHE_HOME: 'XDG' }],
  ])("%s: node's modules its run needs are loaded before the CLI changes V8's flags", (name, args, expected, env) => {
    // Node's built-in code cache for its own modules is refused once V8's flags change
    // (bin/code-cache.js preloadBuiltins): those the bundle loads as it starts come first.
    const { list: order } = loadListOf(
      args.map((a) => (a === 'OUT' ? join(dir, `order-${name}-out`) : a)),
      Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'XDG' ? join(dir, 'xdg') : v])),
    );
    // The CLI's flags are set through process.binding('v8'), which nothing loads before.
    const flagsAt = order.indexOf('Internal Binding v8');
    expect(flagsAt).toBeGreaterThan(0);
    for (const m of expected) {
      expect(order, m).toContain(`NativeModule ${m}`);
      expect(order.indexOf(`NativeModule ${m}`), `${m} loaded after the flags changed`).toBeLessThan(flagsAt);
    }
  });

  it('a first-time generate of one definition: no node:v8, no threads, no child processes', () => {
    const out = join(dir, 'one');
    const loaded = builtinsOf(['generate', EXAMPLE, '--out-dir', out, '--quiet'], { MIGOBS_NO_CACHE: '1' });
    for (const m of ['v8', 'worker_threads', 'child_process']) expect(loaded, m).not.toContain(m);
    // It hashes its inputs and outputs: the check above is of a run that did the work.
    expect(loaded).toContain('crypto');
  });

  it('a generate of many definitions starts its worker pool (node:worker_threads)', () => {
    const defs = join(dir, 'many');
    mkdirSync(defs);
    const text = readFileSync(EXAMPLE, 'utf8');
    for (let i = 0; i < 10; i++) writeFileSync(join(defs, `m${i}.yaml`), text.replace(/^( {2}id: )orders-region-backfill\b/m, `$1copy-${i}`));
    const loaded = builtinsOf(['generate', defs, '--out-dir', join(dir, 'many-out'), '--quiet'], { MIGOBS_NO_CACHE: '1', MIGOBS_WORKERS: '2' });
    expect(loaded).toContain('worker_threads');
  });
});
