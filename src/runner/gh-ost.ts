/**
 * gh-ost (contract-tested: gh-ost is not packaged in Debian; see docs/integrations.md).
 *
 * Read from gh-ost's source and docs (go/logic/migrator.go printStatus, go/logic/throttler.go,
 * go/logic/server.go, doc/command-line-flags.md, doc/interactive-commands.md):
 * - status line on stdout (and in its log):
 *   "Copy: %d/%d %.1f%%; Applied: %d; Backlog: %d/%d; Time: %s(total), %s(copy); streamer: %s;
 *    Lag: %.2fs, HeartbeatLag: %.2fs, State: %s; ETA: %s", State one of `migrating`,
 *   `counting rows`, `postponing cut-over`, `throttled, <reason>`; also the answer to the
 *   `status` command on `--serve-socket-file`;
 * - `--throttle-additional-flag-file F`: throttles while F exists (checked every second; reason
 *   `flag-file`); `--panic-flag-file F`: "when this file is created, gh-ost immediately terminates
 *   without cleanup" (the original table is untouched, no triggers exist; the ghost and changelog
 *   tables are left for you to drop);
 * - log lines "Row copy complete", "Waiting for events up to lock" (cut-over), "Done migrating".
 */
import { join } from 'node:path';
import { flagValue, hasFlag, type Prepared, type ToolAdapter, type ToolEvent, type ToolHandle } from './types';

const STATUS = /Copy: ([0-9]+)\/([0-9]+) ([0-9.]+)%; .*?Lag: ([0-9.]+)s(?:, HeartbeatLag: ([0-9.]+)s)?, State: ([^;]+); ETA: (.+?)\s*$/;

export class GhOstAdapter implements ToolAdapter {
  readonly tool = 'gh-ost' as const;
  readonly name = 'gh-ost';
  readonly pauseAck = 'reports "State: throttled, flag-file" in its status line';

  prepare(argv: string[], workDir: string): Prepared | string {
    if (!argv.length) return 'give the gh-ost command line after --';
    const out = [...argv];
    const notes: string[] = [];
    const cleanup: string[] = [];
    let pauseFile = flagValue(argv, '--throttle-additional-flag-file', '-throttle-additional-flag-file');
    if (pauseFile === undefined) {
      pauseFile = join(workDir, 'throttle');
      out.push(`--throttle-additional-flag-file=${pauseFile}`);
      notes.push(`added --throttle-additional-flag-file=${pauseFile} (gh-ost throttles while it exists; not the shared default /tmp/gh-ost.throttle)`);
      cleanup.push(pauseFile);
    } else notes.push(`using your --throttle-additional-flag-file ${pauseFile}: migobs creates it to pause and removes it to resume`);
    let abortFile = flagValue(argv, '--panic-flag-file', '-panic-flag-file');
    if (abortFile === undefined) {
      abortFile = join(workDir, 'panic');
      out.push(`--panic-flag-file=${abortFile}`);
      notes.push(`added --panic-flag-file=${abortFile} (created on rollback: gh-ost stops at once, the original table untouched)`);
      cleanup.push(abortFile);
    } else notes.push(`using your --panic-flag-file ${abortFile}: migobs creates it on rollback`);
    if (!hasFlag(argv, '--execute', '-execute')) notes.push('no --execute: gh-ost runs as a dry run (noop)');
    const socket = flagValue(argv, '--serve-socket-file', '-serve-socket-file');
    return { argv: out, notes, pauseFile, abortFile, cleanup, ...(socket ? { socket } : {}) };
  }

  parseLine(line: string): ToolEvent[] {
    const m = STATUS.exec(line);
    if (m) {
      const state = m[6]!.trim();
      const events: ToolEvent[] = [{ kind: 'progress', rowsDone: Number(m[1]), rowsTotal: Number(m[2]), percent: Number(m[3]) }];
      const lag = Number(m[5] ?? m[4]);
      if (Number.isFinite(lag)) events.push({ kind: 'lag', seconds: lag });
      const throttled = state.startsWith('throttled');
      events.push(throttled ? { kind: 'throttled', throttled: true, reason: state.replace(/^throttled,?\s*/, '') } : { kind: 'throttled', throttled: false });
      if (state === 'postponing cut-over') events.push({ kind: 'stage', stage: 'postponed' });
      else if (state === 'migrating' || state === 'counting rows' || throttled) events.push({ kind: 'stage', stage: 'copy' });
      return events;
    }
    if (/Waiting for events up to lock|Grabbing voluntary lock/.test(line)) return [{ kind: 'stage', stage: 'cut-over' }];
    if (/Done migrating /.test(line)) return [{ kind: 'stage', stage: 'done' }];
    return [];
  }

  pause(h: ToolHandle, p: Prepared): void {
    h.touch(p.pauseFile!);
  }

  resume(h: ToolHandle, p: Prepared): void {
    h.remove(p.pauseFile!);
  }

  abort(h: ToolHandle, p: Prepared): string {
    h.touch(p.abortFile!);
    return `created the panic flag file ${p.abortFile}: gh-ost stops within a second, without cleanup (drop its _gho and _ghc tables when convenient; the original table is untouched)`;
  }
}

/** `status` over gh-ost's --serve-socket-file: its answer (hint lines and the status line). */
export function socketStatus(socket: string, timeoutMs: number): Promise<string> {
  // Loaded here only: `net` is small, but nothing else in the runner needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createConnection } = require('node:net') as typeof import('node:net');
  return new Promise((resolve, reject) => {
    let text = '';
    const c = createConnection(socket);
    const timer = setTimeout(() => c.destroy(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    c.setEncoding('utf8');
    c.on('connect', () => c.write('status\n'));
    c.on('data', (d: string) => {
      text += d;
      if (text.length > 64 * 1024) c.destroy(new Error('answer too long'));
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}
