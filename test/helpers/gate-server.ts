/**
 * `migobs gate --serve` as a real process for tests: started on 127.0.0.1 port 0 (the kernel picks
 * a free port; the server prints the address it bound), asked over HTTP with a client timeout.
 */
import { join } from 'node:path';
import { REPO } from './cli';
import { CLI_BIN, waitFor, type Proc, type Services } from './services';

export interface GateServerProc {
  proc: Proc;
  url: string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Headers;
}

/** One request with a hard client timeout (gh-ost gives the server 1 s); rejects when it passes. */
export async function ask(url: string, method = 'GET', timeoutMs = 5_000, body?: string): Promise<HttpAnswer> {
  const r = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs), ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
  return { status: r.status, body: await r.text(), headers: r.headers };
}

/** The /check body the tests read. */
export interface CheckBody {
  verdict: 'proceed' | 'pause' | 'rollback' | 'unknown';
  httpStatus: number;
  reason: string | null;
  stale: boolean;
  evaluatedAt: string | null;
  verdictAgeSeconds: number | null;
  staleAfterSeconds: number;
  evaluation: null | { gates: Array<{ gate: string; state: string; value: number | null; reason: string | null; phases: string[]; pause: number; rollback: number }>; overall: { state: string } };
}

export async function check(url: string): Promise<CheckBody> {
  const r = await ask(`${url}/check`);
  return JSON.parse(r.body) as CheckBody;
}

/** Start `migobs gate <file> --serve --listen 127.0.0.1:0 <args>` and wait until it listens. */
export async function startGateServer(services: Services, file: string, args: string[], env: Record<string, string> = {}, name = 'gate-server'): Promise<GateServerProc> {
  const proc = services.start(name, process.execPath, [CLI_BIN, 'gate', file, '--serve', '--listen', '127.0.0.1:0', ...args], { cwd: REPO, env: { NO_COLOR: '1', ...env } });
  const exited = new Promise<number | string>((resolve) => {
    if (proc.exited) resolve(proc.child.exitCode ?? proc.child.signalCode ?? -1);
    proc.child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const url = await waitFor(`${name} to listen`, () => {
    if (proc.exited) throw new Error(`${name} exited: ${proc.output()}`);
    return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output())?.[1];
  }, 30_000, 50);
  return { proc, url, exited };
}

export const FIXTURE = join(REPO, 'test', 'unit', 'live', 'gate-fixture.yaml');
