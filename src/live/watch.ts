/**
 * `migobs watch`: one snapshot per refresh (progress numbers + the gate answer), rendered either as a
 * live terminal frame (progress bar, rows/s, ETA, phase, gate table) or, when stdout is not a
 * terminal, as one plain line per refresh.
 *
 * A snapshot costs a fixed number of queries whatever the number of gates: progress (one batched
 * query) in parallel with the gate answer (phase query, then one batched gate query).
 */
import { Format } from 'cli-progress';
import { paint } from '../cli/output';
import type { ResolvedMigration } from '../model/types';
import { selector } from '../promql/matchers';
import { splitTagged, taggedQuery } from './batch';
import { ACTION, INSECURE_WARNING, formatValue, gateTable, paintState, printable, reasonLines } from './format';
import { runGates, type GateReport } from './gate';
import { scheduleAnswer } from './schedule';
import type { PrometheusClient } from './prometheus';

export interface Progress {
  processed?: number;
  total?: number;
  /** Rows per second over the rate window. */
  rate?: number;
  throttled?: number;
  errors?: number;
  lastProgress?: number;
  /** The evaluation time as Prometheus saw it (`time()`, the explicit `time` of the snapshot). */
  now?: number;
}

export interface Snapshot {
  at: Date;
  progress: Progress;
  /** Why the progress numbers are missing, if they are. */
  progressError?: string;
  gates: GateReport;
}

const PROGRESS_KEYS = ['processed', 'total', 'rate', 'throttled', 'errors', 'lastProgress', 'now'] as const;

/** Rate window: at least 1 minute and at least 4 scrapes (a rate needs two samples in the window). */
export function rateWindowSeconds(model: ResolvedMigration): number {
  return Math.max(60, 4 * model.scrapeIntervalSeconds);
}

/** One instant query answering every progress number. */
export function progressQuery(model: ResolvedMigration): string {
  const m = (metric: string): string => selector(metric, model.migrationMatchers);
  const window = `${rateWindowSeconds(model)}s`;
  const exprs: Record<(typeof PROGRESS_KEYS)[number], string> = {
    processed: `sum(${m('migration_rows_processed_total')})`,
    total: `max(${m('migration_rows_total')})`,
    rate: `sum(rate(${m('migration_rows_processed_total')}[${window}]))`,
    throttled: `max(${m('migration_throttled')})`,
    errors: `sum(${m('migration_errors_total')})`,
    lastProgress: `max(${m('migration_last_progress_timestamp_seconds')})`,
    now: 'vector(time())',
  };
  return taggedQuery(PROGRESS_KEYS.map((k) => [k, exprs[k]] as const));
}

export async function takeSnapshot(client: PrometheusClient, model: ResolvedMigration, signal?: AbortSignal): Promise<Snapshot> {
  // Progress and gates are evaluated at the same instant, within one --timeout.
  const timeMs = Date.now();
  const progress = client.query(progressQuery(model), { ...(signal ? { signal } : {}), timeMs, deadline: client.deadline() }).then(
    ({ samples }) => {
      const byKey = splitTagged(samples);
      const out: Progress = {};
      for (const k of PROGRESS_KEYS) {
        const v = byKey.get(k)?.[0]?.value;
        if (v !== undefined && Number.isFinite(v)) out[k] = v;
      }
      return { progress: out };
    },
    (e: unknown) => ({ progress: {}, progressError: e instanceof Error ? e.message : String(e) }),
  );
  const [p, gates] = await Promise.all([progress, runGates(client, model, { timeMs }, signal).then((r) => scheduleAnswer(model, r, timeMs))]);
  return { at: new Date(), ...p, gates };
}

export interface Derived {
  /** 0..1, when the total is known. */
  ratio?: number;
  etaSeconds?: number;
  secondsSinceProgress?: number;
}

export function derive(p: Progress): Derived {
  const out: Derived = {};
  if (p.processed !== undefined && p.total !== undefined && p.total > 0) out.ratio = Math.min(1, Math.max(0, p.processed / p.total));
  if (p.processed !== undefined && p.total !== undefined && p.rate !== undefined && p.rate > 0) out.etaSeconds = Math.max(0, (p.total - p.processed) / p.rate);
  if (p.lastProgress !== undefined && p.now !== undefined) out.secondsSinceProgress = Math.max(0, p.now - p.lastProgress);
  return out;
}

/** `1h05m`, `03m20s`, `42s` (cli-progress' time format), or `-` when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  return Format.TimeFormat(Math.round(seconds), { autopaddingChar: '0' } as never, 1);
}

const pct = (ratio: number | undefined): string => (ratio === undefined ? '-' : `${(ratio * 100).toFixed(1)}%`);
const num = (v: number | undefined): string => (v === undefined ? '-' : formatValue(Math.round(v * 10) / 10));
const when = (d: Date): string => d.toISOString().slice(11, 19) + 'Z';

/** One line per refresh, for logs and pipes (no colour, no cursor movement). */
export function plainLine(model: ResolvedMigration, s: Snapshot): string {
  const p = s.progress;
  const d = derive(p);
  // With the current phase unknown, every gate of every phase is listed with the phases it belongs to.
  const allPhases = s.gates.evaluated === 'all-phases';
  const gates = s.gates.gates.map((g) => `${g.gate}${allPhases ? `[${g.phases.join(',')}]` : ''}=${g.state}(${formatValue(g.value, g.raw)})`).join(' ');
  const parts = [
    ...(s.gates.tlsUnverified ? ['!TLS-NOT-VERIFIED!'] : []),
    when(s.at),
    model.id,
    `phase=${s.gates.phase ?? '?'}`,
    `progress=${pct(d.ratio)}`,
    `rows=${num(p.processed)}/${num(p.total)}`,
    `rate=${num(p.rate)}/s`,
    `eta=${formatEta(d.etaSeconds)}`,
    `throttled=${p.throttled === undefined ? '-' : p.throttled ? 'yes' : 'no'}`,
    `errors=${num(p.errors)}`,
    `gates: ${gates || 'none'}`,
    `-> ${ACTION[s.gates.state]}`,
    ...(s.gates.tlsUnverified ? ['(--insecure-skip-verify: this answer may be forged)'] : []),
  ];
  return parts.join(' ');
}

const BAR_SIZE = 30;

/** The terminal frame: title, progress bar line, status line, gate table, reasons. */
export function frame(model: ResolvedMigration, s: Snapshot, intervalText: string): string {
  const p = s.progress;
  const d = derive(p);
  const bar = Format.BarFormat(d.ratio ?? 0, { barsize: BAR_SIZE, barCompleteString: '█'.repeat(BAR_SIZE), barIncompleteString: '░'.repeat(BAR_SIZE), barGlue: '' } as never);
  const lines = [
    `migobs watch ${model.id} — ${model.title}  (every ${intervalText}, Ctrl-C to quit)`,
    ...(s.gates.tlsUnverified ? [paint(INSECURE_WARNING, 'red')] : []),
    '',
    `${bar} ${pct(d.ratio).padStart(6)} | ${num(p.processed)}/${num(p.total)} rows | ${num(p.rate)} rows/s | ETA ${formatEta(d.etaSeconds)} | phase ${s.gates.phase ?? '?'}`,
    `throttled: ${p.throttled === undefined ? '-' : p.throttled ? 'yes' : 'no'}   errors: ${num(p.errors)}   last progress: ${d.secondsSinceProgress === undefined ? '-' : `${Math.round(d.secondsSinceProgress)}s ago`}   updated ${when(s.at)}`,
    '',
  ];
  const allPhases = s.gates.evaluated === 'all-phases';
  if (allPhases) lines.push('current phase unknown: every gate of every phase');
  if (s.gates.gates.length) lines.push(gateTable(s.gates.gates, undefined, { phases: allPhases }));
  else lines.push(allPhases ? 'gates: none defined' : `no gate applies to phase ${s.gates.phase}`);
  lines.push('', `${paintState(s.gates.state)}: ${ACTION[s.gates.state]}`);
  if (s.progressError) lines.push(`! progress unknown: ${printable(s.progressError)}`);
  for (const line of reasonLines(s.gates)) lines.push(`! ${line}`);
  if (s.gates.tlsUnverified) lines.push(paint(INSECURE_WARNING, 'red'));
  return lines.join('\n') + '\n';
}

/**
 * Cut every line to `width` visible characters (ANSI colour codes do not count and are kept intact),
 * so no line wraps. Width - 1 leaves the last column free: some terminals wrap when it is written.
 */
export function clipLines(text: string, width: number): string {
  const max = Math.max(10, width - 1);
  return text
    .split('\n')
    .map((line) => {
      let visible = 0;
      let out = '';
      let sawEscape = false;
      for (let i = 0; i < line.length; i++) {
        const esc = /^\u001b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i));
        if (esc) {
          out += esc[0];
          sawEscape = true;
          i += esc[0].length - 1;
          continue;
        }
        if (visible === max) return out + (sawEscape ? '\u001b[0m' : '');
        out += line[i];
        visible++;
      }
      return out;
    })
    .join('\n');
}
