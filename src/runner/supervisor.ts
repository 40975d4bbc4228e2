/**
 * `migobs run`: runs a migration tool as a child process, publishes its progress as the metric
 * contract, and makes it obey the gate (docs/integrations.md "migobs run").
 *
 * - The gate is evaluated every interval with runGates, exactly as `migobs gate` does (one
 *   evaluation time, one deadline, doubtful answers refused, rollback > unknown > pause > green).
 * - The tool starts only after a first proceed; rollback before that exits 3 with nothing started.
 * - pause and unknown: the tool's own pause (adapter.pause); proceed again: adapter.resume.
 * - rollback: adapter.abort (the tool's safe stop), then exit 3 once the tool has ended.
 * - Rows still moving while paused (after a grace period, in two separate reports): the tool does
 *   not obey the pause; that is reported as unknown, the tool is stopped its safe way, exit 4.
 * - SIGINT/SIGTERM are forwarded to the tool as they are; otherwise the exit code is the tool's own.
 * Every decision is logged on stderr with its reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { Gauge } from 'prom-client';
import { MigrationMetrics, type MetricsServer } from '../emitter';
import { GATE_STATE } from '../generate/names';
import type { ResolvedMigration } from '../model/types';
import { printable } from '../live/format';
import { runGates, type GateClient, type GateReport, type GateState } from '../live/gate';
import { verdictReason } from '../live/server';
import { socketStatus } from './gh-ost';
import { redactArgv, STAGES, type Prepared, type Stage, type ToolAdapter, type ToolEvent, type ToolHandle } from './types';

/** Exit codes of `migobs run` that are not the tool's own. */
export const RUN_EXIT = { usage: 1, rollback: 3, unknown: 4 } as const;

export interface RunOptions {
  model: ResolvedMigration;
  client: GateClient;
  adapter: ToolAdapter;
  /** The tool's command line as the user gave it. */
  argv: string[];
  intervalMs: number;
  stagePhases: Partial<Record<Stage, string>>;
  workDir: string;
  /** Serve /metrics here, or push to a Pushgateway. */
  listen?: { host: string; port: number };
  pushgateway?: { url: string; job: string; groupings: Record<string, string>; timeoutMs: number };
  /** Rows moving this long after a pause are still the chunk in flight. */
  pauseGraceMs: number;
  /** Seconds between the tool's progress reports (pt-osc --progress time,N). */
  progressSeconds: number;
  log: (line: string) => void;
  /** Lines of the tool's own output, passed through. */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** A promise resolved by the first SIGINT/SIGTERM (and a hook for later ones). */
  onSignal: (handler: (sig: NodeJS.Signals) => void) => void;
  now?: () => number;
}

export interface RunResult {
  exitCode: number;
  /** The tool's own exit code, or the signal that ended it; undefined when it never started. */
  toolExit?: number | NodeJS.Signals;
  reason: string;
  /** A usage error found before anything started. */
  usage?: true;
}

type Verdict = 'proceed' | 'pause' | 'rollback' | 'unknown';
const VERDICT: Record<GateState, Verdict> = { green: 'proceed', pause: 'pause', rollback: 'rollback', unknown: 'unknown' };
const STATE_NUMBER: Record<Verdict, number> = { proceed: GATE_STATE.green, pause: GATE_STATE.pause, rollback: GATE_STATE.rollback, unknown: GATE_STATE.unknown };

export class Supervisor {
  readonly metrics: MigrationMetrics;
  private readonly gateState: Gauge<'migration_id'>;
  private readonly pausedGauge: Gauge<'migration_id'>;
  private readonly ignoredGauge: Gauge<'migration_id'>;
  private readonly now: () => number;
  private prepared: Prepared | undefined;
  private child: ChildProcess | undefined;
  private server: MetricsServer | undefined;
  private verdict: Verdict | undefined;
  private paused = false;
  private pausedAtMs = 0;
  private toolThrottled = false;
  private stage: Stage = 'start';
  private rowsDone = 0;
  private percent = 0;
  /** Progress seen while paused, after the grace period: [baseline, increases]. */
  private pauseBaseline: number | undefined;
  private pauseIncreases = 0;
  private aborting: { exitCode: number; reason: string } | undefined;
  private interrupted: NodeJS.Signals | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private createdPauseFile = false;

  constructor(private readonly o: RunOptions) {
    this.now = o.now ?? Date.now;
    const id = o.model.id;
    this.metrics = new MigrationMetrics({ migrationId: id, type: o.model.type, owner: o.model.owner, phases: o.model.phases.map((p) => p.id), now: this.now });
    const registers = [this.metrics.registry];
    this.gateState = new Gauge({ name: 'migobs_run_gate_state', help: 'Verdict migobs run acts on: 0 proceed, 1 pause, 2 rollback, 3 unknown (as migration:gate:state).', labelNames: ['migration_id'], registers });
    this.pausedGauge = new Gauge({ name: 'migobs_run_paused', help: '1 while migobs run holds the tool with its own pause (pause file or throttle flag file).', labelNames: ['migration_id'], registers });
    this.ignoredGauge = new Gauge({ name: 'migobs_run_pause_ignored', help: '1 once the tool was seen copying rows while paused (it does not obey the pause).', labelNames: ['migration_id'], registers });
    this.gateState.set({ migration_id: id }, GATE_STATE.unknown);
    this.pausedGauge.set({ migration_id: id }, 0);
    this.ignoredGauge.set({ migration_id: id }, 0);
    const start = o.stagePhases.start;
    if (start) this.metrics.startPhase(start);
  }

  /** Publish, wait for a first proceed, run the tool under the gate; resolves with the exit code. */
  async run(): Promise<RunResult> {
    const { adapter, log } = this.o;
    const prepared = adapter.prepare(this.o.argv, this.o.workDir, { progressSeconds: this.o.progressSeconds });
    if (typeof prepared === 'string') {
      rmSync(this.o.workDir, { recursive: true, force: true });
      return { exitCode: RUN_EXIT.usage, reason: prepared, usage: true };
    }
    this.prepared = prepared;
    this.o.onSignal((sig) => this.onSignal(sig));
    try {
      mkdirSync(this.o.workDir, { recursive: true, mode: 0o700 });
      for (const [file, text] of Object.entries(prepared.files ?? {})) writeFileSync(file, text, { mode: 0o600 });
      for (const n of prepared.notes) log(n);
      if (this.o.listen) {
        const { host, port } = this.o.listen;
        try {
          this.server = await this.metrics.serve(port, host);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
          return { exitCode: RUN_EXIT.usage, reason: `cannot listen on ${host}:${port}: ${code}${code === 'EADDRINUSE' ? ' (the port is taken; choose another with --listen)' : ''}; nothing was started`, usage: true };
        }
        log(`serving the metric contract of ${this.o.model.id} on ${this.server.url}`);
      } else if (this.o.pushgateway) {
        try {
          await this.push();
        } catch (e) {
          return { exitCode: RUN_EXIT.usage, reason: `cannot push to the Pushgateway ${this.o.pushgateway.url}: ${printable(e instanceof Error ? e.message : String(e))}; nothing was started (an unobserved migration must not run)`, usage: true };
        }
        log(`pushing the metric contract of ${this.o.model.id} to ${this.o.pushgateway.url} every ${this.o.intervalMs / 1000}s (job=${this.o.pushgateway.job})`);
      }
      log(`waiting for the gate to say proceed before starting ${adapter.name}`);

      // Nothing starts before the gate says proceed.
      for (;;) {
        if (this.interrupted) return { exitCode: 128 + (constants.signals[this.interrupted] ?? 0), reason: `${this.interrupted} before ${adapter.name} started; nothing was started` };
        const v = await this.evaluate();
        if (v === 'proceed') break;
        if (v === 'rollback') return { exitCode: RUN_EXIT.rollback, reason: `rollback before ${adapter.name} started; nothing was started` };
        if (!this.interrupted) await this.sleep(this.o.intervalMs);
      }
      return await this.supervise(prepared);
    } finally {
      this.stopped = true;
      if (this.o.pushgateway && this.child) await this.push().catch((e: unknown) => log(`final push failed: ${printable(e instanceof Error ? e.message : String(e))}`));
      await this.server?.close();
      for (const f of prepared.cleanup) rmSync(f, { force: true });
      if (this.createdPauseFile && prepared.pauseFile) rmSync(prepared.pauseFile, { force: true });
      rmSync(this.o.workDir, { recursive: true, force: true });
    }
  }

  private async supervise(p: Prepared): Promise<RunResult> {
    const { adapter, log } = this.o;
    const [cmd, ...args] = p.argv as [string, ...string[]];
    log(`starting ${adapter.name}: ${redactArgv(p.argv).map((a) => JSON.stringify(a)).join(' ')}`);
    // Its own process group: a terminal's Ctrl-C reaches migobs, which forwards it (once).
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...p.env } });
    this.child = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    for (const [stream, write] of [[child.stdout!, this.o.stdout], [child.stderr!, this.o.stderr]] as const) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        write(line);
        this.onLine(line);
      });
    }
    const loop = this.gateLoop(p);
    const end = await exited;
    this.stopped = true;
    this.wake?.();
    await loop;

    if (end.error) return { exitCode: 127, reason: `${adapter.name} could not be started: ${end.error.message}` };
    const toolExit = end.signal ?? end.code ?? -1;
    const said = end.signal ? `was ended by ${end.signal}` : `exited with code ${end.code}`;
    if (end.signal === null && end.code !== 0 && !this.aborting) this.metrics.recordError();
    this.metrics.setThrottled(false);
    this.pausedGauge.set({ migration_id: this.o.model.id }, 0);
    if (this.aborting) return { exitCode: this.aborting.exitCode, toolExit, reason: `${this.aborting.reason}; ${adapter.name} ${said}` };
    if (end.code === 0 && !end.signal) {
      if (this.o.stagePhases.done) this.metrics.startPhase(this.o.stagePhases.done);
      return { exitCode: 0, toolExit, reason: `${adapter.name} exited with code 0` };
    }
    const code = end.signal ? 128 + (constants.signals[end.signal] ?? 0) : end.code!;
    return { exitCode: code, toolExit, reason: `${adapter.name} ${said}${this.interrupted ? ` after migobs forwarded ${this.interrupted}` : ''}; migobs run exits with ${end.signal ? `128 + the signal number (${code})` : 'its code'}` };
  }

  private async gateLoop(p: Prepared): Promise<void> {
    while (!this.stopped) {
      const started = this.now();
      if (p.socket) await this.pollSocket(p.socket);
      const v = await this.evaluate();
      if (this.stopped) break;
      this.act(v, p);
      if (this.o.pushgateway) await this.push().catch((e: unknown) => this.o.log(`push failed (retrying next interval): ${printable(e instanceof Error ? e.message : String(e))}`));
      await this.sleep(Math.max(0, started + this.o.intervalMs - this.now()));
    }
  }

  /** One evaluation of the gate; logs verdict changes with the reason. */
  private async evaluate(): Promise<Verdict> {
    let report: GateReport | undefined;
    let reason: string | null;
    let v: Verdict;
    try {
      report = await runGates(this.o.client, this.o.model, { timeMs: Math.round(this.now()) });
      v = VERDICT[report.state];
      reason = verdictReason(report);
    } catch (e) {
      // runGates turns Prometheus faults into unknown gates; this is a bug, and still fail-closed.
      v = 'unknown';
      reason = `gate evaluation failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.gateState.set({ migration_id: this.o.model.id }, STATE_NUMBER[v]);
    if (v !== this.verdict) {
      this.o.log(`gate ${v}${this.verdict ? ` (was ${this.verdict})` : ''}${reason ? `: ${printable(reason)}` : ''}`);
      this.verdict = v;
    }
    return v;
  }

  /** What the verdict means for the running tool. */
  private act(v: Verdict, p: Prepared): void {
    const { adapter, log } = this.o;
    if (this.aborting || this.interrupted) return;
    if (v === 'rollback') {
      const how = adapter.abort(this.handle(), p);
      this.aborting = { exitCode: RUN_EXIT.rollback, reason: 'gate rollback: stopped the tool' };
      log(`decision: rollback -> stop ${adapter.name} the safe way: ${how}; migobs run will exit 3`);
      return;
    }
    if (v === 'pause' || v === 'unknown') {
      if (!this.paused) {
        adapter.pause(this.handle(), p);
        if (p.pauseFile) this.createdPauseFile = true;
        this.paused = true;
        this.pausedAtMs = this.now();
        this.pauseBaseline = undefined;
        this.pauseIncreases = 0;
        this.setThrottled();
        log(`decision: ${v} -> pause ${adapter.name}${p.pauseFile ? ` (created ${p.pauseFile})` : ''}; it ${adapter.pauseAck}`);
      }
      return;
    }
    if (this.paused) {
      adapter.resume(this.handle(), p);
      this.paused = false;
      this.setThrottled();
      log(`decision: proceed -> resume ${adapter.name}${p.pauseFile ? ` (removed ${p.pauseFile})` : ''} after ${((this.now() - this.pausedAtMs) / 1000).toFixed(1)}s paused`);
    }
  }

  private onLine(line: string): void {
    let events: ToolEvent[];
    try {
      events = this.o.adapter.parseLine(line);
    } catch {
      return;
    }
    for (const e of events) this.onEvent(e);
  }

  private onEvent(e: ToolEvent): void {
    switch (e.kind) {
      case 'progress': {
        if (e.rowsTotal !== undefined && e.rowsTotal >= 0) this.metrics.setRowsTotal(e.rowsTotal);
        if (e.rowsDone !== undefined && e.rowsDone > this.rowsDone) {
          this.rowsDone = e.rowsDone;
          this.metrics.setRowsProcessed(e.rowsDone);
        }
        if (e.percent !== undefined) this.percent = Math.max(this.percent, e.percent);
        if (this.paused) this.checkPauseObeyed(this.rowsDone > 0 ? this.rowsDone : this.percent);
        break;
      }
      case 'stage': {
        // Stages only move forward: a status line printed after the cut-over still says "migrating".
        if (STAGES.indexOf(e.stage) <= STAGES.indexOf(this.stage)) break;
        this.stage = e.stage;
        const phase = this.o.stagePhases[e.stage];
        if (phase && phase !== this.metrics.currentPhase) {
          this.metrics.startPhase(phase);
          this.o.log(`${this.o.adapter.name} is in its ${e.stage} stage: migration_phase ${phase}`);
        }
        break;
      }
      case 'throttled':
        if (e.throttled !== this.toolThrottled) {
          this.toolThrottled = e.throttled;
          this.setThrottled();
        }
        break;
      case 'paused':
        // The tool says it is holding: whatever moved before was the chunk in flight.
        this.pauseBaseline = undefined;
        this.pauseIncreases = 0;
        break;
      case 'lag':
        if (Number.isFinite(e.seconds) && e.seconds >= 0) this.metrics.setLag(e.seconds);
        break;
    }
  }

  /** Rows moving while paused, after the grace period, in two separate reports: the pause is ignored. */
  private checkPauseObeyed(progress: number): void {
    if (this.aborting || !this.prepared) return;
    if (this.now() - this.pausedAtMs < this.o.pauseGraceMs || this.pauseBaseline === undefined) {
      this.pauseBaseline = progress;
      return;
    }
    if (progress <= this.pauseBaseline) return;
    this.pauseIncreases++;
    const from = this.pauseBaseline;
    this.pauseBaseline = progress;
    if (this.pauseIncreases < 2) return;
    const { adapter, log } = this.o;
    this.ignoredGauge.set({ migration_id: this.o.model.id }, 1);
    this.gateState.set({ migration_id: this.o.model.id }, GATE_STATE.unknown);
    const unit = this.rowsDone > 0 ? 'rows' : '%';
    const why = `${adapter.name} does not obey the pause: progress went from ${from} to ${progress} ${unit} while paused for ${((this.now() - this.pausedAtMs) / 1000).toFixed(1)}s (an old version, or a pause file it does not read)`;
    log(`unknown: ${why}`);
    const how = adapter.abort(this.handle(), this.prepared);
    this.aborting = { exitCode: RUN_EXIT.unknown, reason: `unknown: ${why}; stopped it` };
    log(`decision: unknown and the tool cannot be paused -> stop ${adapter.name} the safe way: ${how}; migobs run will exit 4`);
  }

  private setThrottled(): void {
    this.metrics.setThrottled(this.paused || this.toolThrottled);
    this.pausedGauge.set({ migration_id: this.o.model.id }, this.paused ? 1 : 0);
  }

  private onSignal(sig: NodeJS.Signals): void {
    this.interrupted = sig;
    this.wake?.();
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.o.log(`${sig}: forwarding it to ${this.o.adapter.name} (pid ${this.child.pid}); it stops its own way`);
      try {
        this.child.kill(sig);
      } catch {
        /* already gone */
      }
    } else this.o.log(`${sig}: stopping`);
  }

  private async pollSocket(socket: string): Promise<void> {
    try {
      const text = await socketStatus(socket, Math.min(1000, this.o.intervalMs));
      for (const line of text.split('\n')) this.onLine(line);
    } catch {
      /* the socket is not there yet or gh-ost is busy: its printed status lines still count */
    }
  }

  private handle(): ToolHandle {
    const child = this.child;
    return {
      signal: (sig) => {
        if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill(sig);
      },
      touch: (file) => writeFileSync(file, ''),
      remove: (file) => {
        try {
          unlinkSync(file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      },
      log: this.o.log,
    };
  }

  private push(): Promise<void> {
    const pg = this.o.pushgateway!;
    return this.metrics.push({ url: pg.url, jobName: pg.job, groupings: pg.groupings, requestOptions: { timeout: pg.timeoutMs } });
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
