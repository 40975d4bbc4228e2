/**
 * scripts/ensure-tools.mjs stops only what its own install started. It runs here for real, with
 * stub `apt-get`, `systemctl`, `service` and `sudo` first (and alone, with sh, touch and rm) in PATH, so no real package
 * or service is touched: the stubs keep "running" services as files in a state dir, log every call,
 * and `apt-get install` starts the services of each package it installs, as Debian's maintainer
 * scripts do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli';

const SCRIPT = join(REPO, 'scripts', 'ensure-tools.mjs');
const which = (tool: string): string => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();

/** What Debian's postinst of each package starts (the simulation the stub apt-get follows). */
const STARTS = `
case "$1" in
  prometheus) echo prometheus ;;
  prometheus-alertmanager) echo prometheus-alertmanager ;;
  prometheus-pushgateway) echo prometheus-pushgateway ;;
  prometheus-postgres-exporter) echo prometheus-postgres-exporter ;;
  prometheus-node-exporter) echo prometheus-node-exporter ;;
  prometheus-mysqld-exporter) echo prometheus-mysqld-exporter ;;
  postgresql) echo postgresql ;;
  mariadb-server) echo mariadb ;;
esac`;

const STUBS: Record<string, string> = {
  'apt-get': `
echo "apt-get $*" >> "$STUB_STATE/calls"
[ "$1" = install ] || exit 0
for p in "$@"; do
  case "$p" in -*|install) continue ;; esac
  svc=$(starts "$p"); [ -n "$svc" ] && touch "$STUB_STATE/running/$svc"
done
exit 0`,
  systemctl: `
echo "systemctl $*" >> "$STUB_STATE/calls"
case "$1" in
  is-active) svc="$3"; [ "$2" = --quiet ] || svc="$2"; [ -e "$STUB_STATE/running/$svc" ] ;;
  stop) rm -f "$STUB_STATE/running/$2" ;;
  *) exit 1 ;;
esac`,
  service: `
echo "service $*" >> "$STUB_STATE/calls"
case "$2" in
  status) [ -e "$STUB_STATE/running/$1" ] ;;
  stop) rm -f "$STUB_STATE/running/$1" ;;
  *) exit 1 ;;
esac`,
  sudo: `
echo "sudo $*" >> "$STUB_STATE/calls"
exec "$@"`,
};

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Run the script with only the stubs (and sh) on PATH; `running` are the services up before. */
function runEnsureTools(running: string[], stubs: Record<string, string> = STUBS): { code: number; stdout: string; calls: string[]; runningAfter: (svc: string) => boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'migobs-ensure-tools-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  mkdirSync(bin);
  mkdirSync(join(state, 'running'), { recursive: true });
  writeFileSync(join(state, 'calls'), '');
  for (const svc of running) writeFileSync(join(state, 'running', svc), '');
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\nstarts() {${STARTS}\n}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  for (const tool of ['sh', 'touch', 'rm']) symlinkSync(which(tool), join(bin, tool));
  const r = spawnSync(process.execPath, [SCRIPT], { env: { PATH: bin, STUB_STATE: state }, encoding: 'utf8', timeout: 30_000 });
  return {
    code: r.status ?? -1,
    stdout: r.stdout + r.stderr,
    calls: readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean),
    runningAfter: (svc) => existsSync(join(state, 'running', svc)),
  };
}

const stops = (calls: string[]): string[] =>
  calls.flatMap((c) => {
    const m = /^(?:systemctl stop (\S+)|service (\S+) stop)$/.exec(c.replace(/^sudo /, ''));
    return m ? [m[1] ?? m[2]!] : [];
  });

describe('scripts/ensure-tools.mjs and system services', () => {
  it('installs what is missing and leaves a PostgreSQL and MariaDB that were already running alone', () => {
    const r = runEnsureTools(['postgresql', 'mariadb']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.calls.some((c) => / ?apt-get install -y --no-install-recommends .*\bprometheus\b/.test(c)), r.calls.join('\n')).toBe(true);
    expect(r.runningAfter('postgresql')).toBe(true);
    expect(r.runningAfter('mariadb')).toBe(true);
    expect(stops(r.calls)).not.toContain('postgresql');
    expect(stops(r.calls)).not.toContain('mariadb');
  });

  it('stops exactly the services its own install started', () => {
    const r = runEnsureTools(['postgresql']);
    expect(r.code, r.stdout).toBe(0);
    // Every tool but the ones in /usr/sbin is invisible to the script here, so it installs at least these.
    for (const svc of ['prometheus', 'prometheus-alertmanager', 'prometheus-pushgateway', 'prometheus-postgres-exporter', 'prometheus-mysqld-exporter']) {
      expect(r.runningAfter(svc), `${svc} was started by the install and must be stopped`).toBe(false);
      expect(stops(r.calls)).toContain(svc);
    }
    expect(new Set(stops(r.calls)).size).toBe(stops(r.calls).length);
    expect(r.stdout).toMatch(/stopped .*prometheus.*started by the packages just installed/);
  });

  it('leaves a service running that was up before the install, even when it belongs to a package it installs', () => {
    // A node_exporter someone runs under the Debian unit name, from a tarball, before the package is installed.
    const r = runEnsureTools(['prometheus-node-exporter', 'postgresql']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.calls.some((c) => /apt-get install .*prometheus-node-exporter/.test(c))).toBe(true);
    expect(r.runningAfter('prometheus-node-exporter')).toBe(true);
    expect(stops(r.calls)).not.toContain('prometheus-node-exporter');
  });

  it('a failed install stops nothing and says what to install', () => {
    const r = runEnsureTools(['postgresql'], { ...STUBS, 'apt-get': 'echo "apt-get $*" >> "$STUB_STATE/calls"; exit 100' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/could not install .*apt-get install/);
    expect(stops(r.calls)).toEqual([]);
    expect(r.runningAfter('postgresql')).toBe(true);
  });
});
