/**
 * Shared plumbing of the `migobs run` end-to-end tests (run-gh-ost, run-pt-osc): the test's own
 * "danger" signal pushed to a real Pushgateway, and a `migobs run` process whose whole output and
 * exit are observable.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { REPO } from './cli';
import { CLI_BIN, waitFor, type Prometheus, type Proc, type Services } from './services';

/**
 * Sets the gate's only signal, `migobs_e2e_danger`, on the Pushgateway and waits until Prometheus
 * reads the new value, so the next gate evaluation sees it.
 */
export function dangerDriver(pushgatewayUrl: string, prom: () => Prometheus): (value: number) => Promise<void> {
  return async (value) => {
    const r = await fetch(`${pushgatewayUrl}/metrics/job/danger-driver`, { method: 'PUT', body: `migobs_e2e_danger ${value}\n`, signal: AbortSignal.timeout(5000) });
    expect(r.status).toBeLessThan(300);
    await waitFor(`Prometheus to read danger ${value}`, async () => ((await prom().query('max(migobs_e2e_danger)'))[0]?.value[1] === String(value) ? true : undefined), 30_000);
  };
}

/**
 * Call inside a suite's `describe`: each test starts from a proceeding gate (`proceed` sets it),
 * and a test that failed half-way leaves no run behind (pushing the contract, holding the gate or
 * a --listen port) for the next one. Returns `track`, to hand every run the suite starts.
 */
export function isolateRuns(proceed: () => Promise<void>): (run: Proc) => void {
  const runs: Proc[] = [];
  beforeEach(proceed, 60_000);
  afterEach(async () => {
    await Promise.all(runs.splice(0).filter((p) => !p.exited).map((p) => p.stop()));
  }, 60_000);
  return (run) => void runs.push(run);
}

/** `migobs run <args>` from the repo, with its whole output (Proc keeps only the tail) and its exit. */
export function startMigobsRun(services: Services, name: string, args: string[]): { proc: Proc; exited: Promise<number | string> } {
  const proc = services.start(name, process.execPath, [CLI_BIN, 'run', ...args], { cwd: REPO, env: { NO_COLOR: '1' } });
  // 'exit' can come before the last output is read from the pipes: resolve once both pipes ended
  // too (or 5 s later, should a child of migobs run still hold one), so that assertions on the
  // output after `await exited` see its last lines.
  const ended = (s: NodeJS.ReadableStream | null): Promise<void> => new Promise((res) => (!s || (s as { readableEnded?: boolean }).readableEnded ? res() : s.once('end', () => res())));
  const pipesEnded = Promise.all([ended(proc.child.stdout), ended(proc.child.stderr)]);
  const exited = new Promise<number | string>((resolve) => {
    const done = (value: number | string): void => void Promise.race([pipesEnded, new Promise((res) => setTimeout(res, 5000).unref())]).then(() => resolve(value));
    if (proc.exited) done(proc.child.exitCode ?? proc.child.signalCode ?? -1);
    else proc.child.once('exit', (code, signal) => done(code ?? signal ?? -1));
  });
  let text = '';
  proc.child.stdout!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  proc.child.stderr!.on('data', (b: Buffer) => (text += b.toString('utf8')));
  return { proc: { ...proc, output: () => text, get exited() { return proc.exited; } }, exited };
}
