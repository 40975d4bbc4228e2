/**
 * `migobs run --tool gh-ost` against gh-ost's documented contracts. gh-ost is not packaged in
 * Debian: test/fixtures/gh-ost-standin/gh-ost.mjs stands in for it, printing gh-ost's status line
 * format, answering `status` on --serve-socket-file, throttling while
 * --throttle-additional-flag-file exists and exiting without cleanup when --panic-flag-file
 * appears, as gh-ost's docs and source say. Everything else is real: migobs run pushes the metric
 * contract to a real Pushgateway, a real Prometheus scrapes it, and the gate's signal is pushed
 * there by the test.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';
import { dangerDriver, isolateRuns, startMigobsRun } from '../helpers/run-driver';
import { Services, waitFor, type Prometheus, type Proc } from '../helpers/services';

const DEFINITION = join(__dirname, 'fixtures', 'run-gh-ost.yaml');
const STANDIN = join(REPO, 'test', 'fixtures', 'gh-ost-standin', 'gh-ost.mjs');
const ID = 'run-gh-ost';

describe('migobs run gh-ost (stand-in obeying gh-ost\'s documented contracts) with a real Pushgateway and Prometheus', () => {
  const services = new Services();
  let prom: Prometheus;
  let pushgateway: { url: string; target: string };

  const danger = (value: number): Promise<void> => dangerDriver(pushgateway.url, () => prom)(value);

  /** The pushed contract series of this migration: name{labels} -> value. */
  async function pushed(name: string, label = ''): Promise<number | undefined> {
    const text = await (await fetch(`${pushgateway.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    for (const line of text.split('\n')) {
      const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
      if (m && m[1]!.includes(`migration_id="${ID}"`) && m[1]!.includes(label)) return Number(m[2]);
    }
    return undefined;
  }

  function startRun(name: string, standin: string[], extra: string[] = []): { proc: Proc; exited: Promise<number | string> } {
    const run = startMigobsRun(services, name, [
      DEFINITION, '--tool', 'gh-ost', '--prometheus-url', prom.url, '--pushgateway', pushgateway.url, '--interval', '500ms', ...extra, '--',
      process.execPath, STANDIN, '--execute', '--alter', 'ADD COLUMN c INT', ...standin,
    ]);
    track(run.proc);
    return run;
  }

  const copied = (proc: Proc): number => Math.max(0, ...[...proc.output().matchAll(/Copy: ([0-9]+)\//g)].map((m) => Number(m[1])));
  /**
   * gh-ost's own status lines saying it is throttled by the flag file. Not migobs' decision line,
   * which quotes the same words (`it reports "State: throttled, flag-file" in its status line`).
   */
  const throttledLines = (proc: Proc): number => (proc.output().match(/State: throttled, flag-file;/g) ?? []).length;

  const track = isolateRuns(() => danger(0));

  beforeAll(async () => {
    try {
      pushgateway = await services.startPushgateway();
      prom = await services.startPrometheus({ targets: [{ job: 'pushgateway', target: pushgateway.target, honorLabels: true }] });
      await danger(0);
    } catch (e) {
      await services.stopAll();
      throw e;
    }
  }, 90_000);
  afterAll(() => services.stopAll());

  it('adds its own throttle and panic flag files; pause throttles gh-ost (State: throttled, flag-file), proceed resumes, exit 0 with the contract pushed', async () => {
    const { proc, exited } = startRun('ghost-pause', ['--standin-rows', '30000', '--standin-rows-per-tick', '100']);
    await waitFor('rows copied', () => (copied(proc) >= 2000 ? true : undefined), 30_000);
    expect(proc.output()).toMatch(/added --throttle-additional-flag-file=\S+throttle \(gh-ost throttles while it exists/);
    expect(proc.output()).toMatch(/added --panic-flag-file=\S+panic/);
    await waitFor('the contract pushed: phase full, rows, lag', async () => ((await pushed('migration_phase', 'phase="full"')) === 1 && ((await pushed('migration_rows_processed_total')) ?? 0) > 0 && (await pushed('migration_rows_total')) === 30000 && (await pushed('migration_lag_seconds')) === 0.02 ? true : undefined), 30_000);

    await danger(0.5);
    await waitFor('gh-ost to report itself throttled', () => (throttledLines(proc) > 0 ? true : undefined), 30_000);
    expect(proc.output()).toMatch(/decision: pause -> pause gh-ost \(created \S+throttle\)/);
    const held = copied(proc);
    await waitFor('the pushed contract to say throttled', async () => ((await pushed('migration_throttled')) === 1 && (await pushed('migobs_run_paused')) === 1 ? true : undefined), 30_000);
    await waitFor('more throttled status lines', () => (throttledLines(proc) >= 5 ? true : undefined), 30_000);
    expect(copied(proc), proc.output()).toBe(held);

    await danger(0);
    const code = await exited;
    expect(code, proc.output()).toBe(0);
    expect(proc.output()).toMatch(/decision: proceed -> resume gh-ost/);
    expect(proc.output()).toMatch(/gh-ost is in its cut-over stage: migration_phase cut-over/);
    expect(proc.output()).toMatch(/gh-ost exited with code 0; exit 0/);
    expect(await pushed('migration_rows_processed_total')).toBe(30000);
    expect(await pushed('migration_phase', 'phase="closeout"')).toBe(1);
    expect(await pushed('migration_throttled')).toBe(0);
  }, 90_000);

  it('rollback: creates the panic flag file, gh-ost aborts without cleanup, migobs run exits 3', async () => {
    const { proc, exited } = startRun('ghost-rollback', ['--standin-rows', '1000000', '--standin-rows-per-tick', '100']);
    await waitFor('rows copied', () => (copied(proc) >= 1000 ? true : undefined), 30_000);
    await danger(2);
    const code = await exited;
    expect(code, proc.output()).toBe(3);
    expect(proc.output()).toMatch(/decision: rollback -> stop gh-ost the safe way: created the panic flag file/);
    expect(proc.output()).toMatch(/found panic-file \S+panic\. Aborting without cleanup/);
    expect(proc.output()).toMatch(/gate rollback: stopped the tool; gh-ost exited with code 1; exit 3/);
    await danger(0);
  }, 90_000);

  it('a gh-ost that keeps copying while throttled is reported as unknown and stopped, exit 4', async () => {
    const { proc, exited } = startRun('ghost-ignores', ['--standin-rows', '1000000', '--standin-rows-per-tick', '50', '--standin-ignore-throttle'], ['--pause-grace', '1s']);
    await waitFor('rows copied', () => (copied(proc) >= 1000 ? true : undefined), 30_000);
    await danger(0.5);
    const code = await exited;
    expect(code, proc.output()).toBe(4);
    expect(proc.output()).toMatch(/unknown: gh-ost does not obey the pause: progress went from \d+ to \d+ rows while paused/);
    expect(proc.output()).toMatch(/decision: unknown and the tool cannot be paused -> stop gh-ost the safe way: created the panic flag file/);
    expect(await pushed('migobs_run_pause_ignored')).toBe(1);
    await danger(0);
  }, 90_000);

  it('progress from the `status` command on --serve-socket-file when gh-ost prints none', async () => {
    const socket = join(services.tempDir('ghost-socket'), 'gh-ost.sock');
    const { proc, exited } = startRun('ghost-socket', ['--standin-rows', '8000', '--standin-rows-per-tick', '200', '--standin-no-stdout-status', `--serve-socket-file=${socket}`]);
    await waitFor('rows from the socket in the pushed contract', async () => (((await pushed('migration_rows_processed_total')) ?? 0) > 0 && (await pushed('migration_rows_total')) === 8000 ? true : undefined), 30_000);
    expect(await exited, proc.output()).toBe(0);
  }, 90_000);

  it('unknown (the gate signal NaN) pauses gh-ost like pause; proceed resumes it', async () => {
    const { proc, exited } = startRun('ghost-unknown', ['--standin-rows', '1000000', '--standin-rows-per-tick', '20']);
    await waitFor('rows copied', () => (copied(proc) >= 200 ? true : undefined), 30_000);
    await danger(NaN);
    await waitFor('gh-ost throttled on unknown', () => (throttledLines(proc) > 0 ? true : undefined), 30_000);
    expect(proc.output()).toMatch(/gate unknown \(was proceed\): gate danger unknown: 1 of 1 series of signal danger is not a number/);
    expect(proc.output()).toMatch(/decision: unknown -> pause gh-ost/);
    await danger(0);
    await waitFor('the resume', () => (/decision: proceed -> resume gh-ost/.test(proc.output()) ? true : undefined), 30_000);
    proc.child.kill('SIGTERM');
    expect(await exited).toBe(143);
  }, 90_000);

  it('rollback before the start: exit 3, gh-ost never started', async () => {
    await danger(2);
    try {
      const { proc, exited } = startRun('ghost-rollback-first', ['--standin-rows', '1000']);
      expect(await exited, proc.output()).toBe(3);
      expect(proc.output()).toMatch(/waiting for the gate to say proceed before starting gh-ost/);
      expect(proc.output()).toMatch(/rollback before gh-ost started; nothing was started; exit 3/);
      expect(proc.output()).not.toMatch(/Z starting gh-ost|Copy: /);
    } finally {
      await danger(0);
    }
  }, 90_000);

  it('Prometheus unreachable: unknown, gh-ost is not started; SIGTERM ends the wait', async () => {
    const { proc, exited } = startMigobsRun(services, 'ghost-no-prometheus', [
      DEFINITION, '--tool', 'gh-ost', '--prometheus-url', 'http://127.0.0.1:9', '--pushgateway', pushgateway.url, '--interval', '500ms', '--',
      process.execPath, STANDIN, '--execute',
    ]);
    await waitFor('the gate to be unknown', () => (/gate unknown: /.test(proc.output()) ? true : undefined), 30_000);
    proc.child.kill('SIGTERM');
    expect(await exited, proc.output()).toBe(143);
    expect(proc.output()).toMatch(/SIGTERM before gh-ost started; nothing was started/);
    expect(proc.output()).not.toMatch(/Z starting gh-ost|Copy: /);
  }, 90_000);

  it('SIGTERM to migobs run is forwarded to gh-ost; migobs run exits 128 + 15 and says so', async () => {
    const { proc, exited } = startRun('ghost-sigterm', ['--standin-rows', '1000000', '--standin-rows-per-tick', '10']);
    await waitFor('rows copied', () => (copied(proc) >= 100 ? true : undefined), 30_000);
    proc.child.kill('SIGTERM');
    expect(await exited, proc.output()).toBe(143);
    expect(proc.output()).toMatch(/SIGTERM: forwarding it to gh-ost \(pid \d+\); it stops its own way/);
    expect(proc.output()).toMatch(/gh-ost was ended by SIGTERM after migobs forwarded SIGTERM; migobs run exits with 128 \+ the signal number \(143\); exit 143/);
  }, 90_000);

  it('gh-ost failing on its own: migobs run exits with its code (5) and says so', async () => {
    const { proc, exited } = startRun('ghost-fails', ['--standin-rows', '100000', '--standin-fail-at', '1000']);
    expect(await exited, proc.output()).toBe(5);
    expect(proc.output()).toMatch(/gh-ost exited with code 5; migobs run exits with its code; exit 5/);
    expect(await pushed('migration_errors_total')).toBe(1);
  }, 90_000);
});
