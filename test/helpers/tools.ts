/**
 * The real Prometheus/Alertmanager tools. A missing binary fails the test (never skips it):
 * `npm test` installs them (scripts/ensure-tools.mjs).
 */
import { spawnSync } from 'node:child_process';

/**
 * `promtool test rules` on a generated rules.test.yaml evaluates every rule at every minute of
 * every case: tens of seconds of CPU, minutes on a loaded machine. Its deadline, and the vitest
 * timeout of a test that runs it (a limit on waiting, not a timed assertion).
 */
export const PROMTOOL_TEST_MS = 480_000;
export const PROMTOOL_TEST_TIMEOUT = PROMTOOL_TEST_MS + 120_000;

export function requireTool(name: string): string {
  // Daemons such as mariadbd live in /usr/sbin, which a non-root PATH often lacks.
  const r = spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin" command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === '') throw new Error(`${name} is not installed: run \`npm test\` (it installs it) or apt-get install the Debian package`);
  return path;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(name: string, args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): ToolResult {
  const bin = requireTool(name);
  const r = spawnSync(bin, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
