/**
 * The short commands' result lines (src/cli/output.ts writeOut): written without creating
 * process.stdout, to a file, a pipe, or a pipe whose reader is gone; coloured only when asked or
 * on a terminal. Runs the built CLI as a child process, its stdout set up by a shell.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/cli';

const EXAMPLE = join(REPO, 'examples', 'orders-region-backfill.yaml');
const dir = mkdtempSync(join(tmpdir(), 'migobs-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `script` in bash with $MIGOBS and $EXAMPLE set; returns its stdout and stderr. */
function sh(script: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const base: Record<string, string | undefined> = { ...process.env, MIGOBS: `${process.execPath} ${BIN}`, EXAMPLE, ...env };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  const r = spawnSync('bash', ['-c', script], { cwd: REPO, env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ESC = '\u001b[';

describe('result lines', () => {
  it('go to a file whole, uncoloured', () => {
    const file = join(dir, 'out.txt');
    const r = sh(`$MIGOBS validate "$EXAMPLE" > "${file}"`);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('ok: 1 definition(s) valid\n');
  });
  it('go through a pipe, uncoloured; FORCE_COLOR colours them, NO_COLOR wins over it', () => {
    expect(sh('$MIGOBS validate "$EXAMPLE" | cat').stdout).toBe('ok: 1 definition(s) valid\n');
    expect(sh('$MIGOBS validate "$EXAMPLE" | cat', { FORCE_COLOR: '1' }).stdout).toBe(`${ESC}32mok: 1 definition(s) valid${ESC}0m\n`);
    expect(sh('$MIGOBS validate "$EXAMPLE" | cat', { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).toBe('ok: 1 definition(s) valid\n');
  });
  it('keep their order through a pipe (generate lists every file it wrote, then its summary)', () => {
    const r = sh(`$MIGOBS generate "$EXAMPLE" --out-dir "${join(dir, 'gen')}" | cat`, { MIGOBS_NO_CACHE: '1' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.slice(0, -1).every((l) => l.startsWith('wrote '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^1 migration\(s\): \d+ file\(s\) written, 0 unchanged in /);
  });
  it('end quietly when the reader of the pipe is gone: exit 0, no EPIPE error', () => {
    // `true` exits without reading: the write meets a closed pipe.
    const r = sh('$MIGOBS validate "$EXAMPLE" | true; echo "exit ${PIPESTATUS[0]}" >&2');
    expect(r.stderr).toContain('exit 0');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});
