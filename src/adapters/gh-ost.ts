/**
 * gh-ost hooks onto the migobs metric contract (docs/integrations.md "gh-ost hooks").
 *
 * gh-ost runs every executable named `gh-ost-on-<event>*` in its `--hooks-path` directory,
 * synchronously, with the migration's state in environment variables (gh-ost doc/hooks.md and
 * go/logic/hooks.go): GH_OST_COPIED_ROWS, GH_OST_ESTIMATED_ROWS, GH_OST_ETA_SECONDS,
 * GH_OST_INSPECTED_LAG, GH_OST_HEARTBEAT_LAG, GH_OST_STATUS (on-status only), ... Each hook call is a
 * new process, so what must outlive one call (the phase, when rows last moved, errors counted) is
 * kept in a small state file between calls; every call pushes the whole contract to the Pushgateway.
 *
 * Pure functions only: reading the environment, the next state, and the metrics of a state.
 */
import type { ResolvedMigration } from '../model/types';
import { matcherAccepts, type LabelMatcher } from '../promql/matchers';
import { Gauge } from 'prom-client';
import { METRIC, MigrationMetrics } from '../emitter';

/** Every hook event gh-ost knows (go/logic/hooks.go). */
export const GH_OST_EVENTS = [
  'gh-ost-on-startup',
  'gh-ost-on-validated',
  'gh-ost-on-rowcount-complete',
  'gh-ost-on-before-row-copy',
  'gh-ost-on-status',
  'gh-ost-on-interactive-command',
  'gh-ost-on-row-copy-complete',
  'gh-ost-on-stop-replication',
  'gh-ost-on-start-replication',
  'gh-ost-on-begin-postponed',
  'gh-ost-on-before-cut-over',
  'gh-ost-on-success',
  'gh-ost-on-failure',
  'gh-ost-on-batch-copy-retry',
] as const;
export type GhOstEvent = (typeof GH_OST_EVENTS)[number];

/**
 * The events `--install` writes a shim for. Not interactive-command (it runs on every socket
 * command, and a hook costs gh-ost a process start) nor stop/start-replication (test-on-replica only).
 */
export const INSTALLED_EVENTS: GhOstEvent[] = [
  'gh-ost-on-startup',
  'gh-ost-on-validated',
  'gh-ost-on-rowcount-complete',
  'gh-ost-on-before-row-copy',
  'gh-ost-on-status',
  'gh-ost-on-batch-copy-retry',
  'gh-ost-on-row-copy-complete',
  'gh-ost-on-begin-postponed',
  'gh-ost-on-before-cut-over',
  'gh-ost-on-success',
  'gh-ost-on-failure',
];

/**
 * The phase each event starts, for the online-rewrite preset's phases. gh-ost cannot tell canary
 * from ramp (that is the operator's chunk-size choice), so the copy is `full` unless mapped
 * otherwise (`--phase-map gh-ost-on-before-row-copy=canary`). Entries whose phase the definition
 * does not have are dropped. rowcount-complete may come during the copy (concurrent row count), so
 * it never changes the phase.
 */
export const DEFAULT_PHASE_MAP: Partial<Record<GhOstEvent, string>> = {
  'gh-ost-on-startup': 'preflight',
  'gh-ost-on-validated': 'preflight',
  'gh-ost-on-before-row-copy': 'full',
  'gh-ost-on-row-copy-complete': 'verify',
  'gh-ost-on-begin-postponed': 'verify',
  'gh-ost-on-before-cut-over': 'cut-over',
  'gh-ost-on-success': 'closeout',
};

/** gh-ost's ETAUnknown (math.MinInt64), printed when it cannot estimate. */
const ETA_UNKNOWN = '-9223372036854775808';

/** What a hook call learned from gh-ost's environment; values that are absent or malformed are left out. */
export interface GhOstEnv {
  copiedRows?: number;
  estimatedRows?: number;
  etaSeconds?: number;
  inspectedLag?: number;
  heartbeatLag?: number;
  /** From GH_OST_STATUS ("State: throttled, <reason>"); only on-status carries it. */
  throttled?: boolean;
  database?: string;
  table?: string;
  /** A variable that was present but not a number as gh-ost writes it. */
  problems: string[];
}

const COUNT = /^[0-9]+$/;
const FLOAT = /^[0-9]+(?:\.[0-9]+)?$/;

export function readGhOstEnv(env: NodeJS.ProcessEnv): GhOstEnv {
  const out: GhOstEnv = { problems: [] };
  const num = (name: string, pattern: RegExp): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!pattern.test(raw) || !Number.isFinite(Number(raw))) {
      out.problems.push(`${name}=${JSON.stringify(raw.slice(0, 40))} is not a number as gh-ost writes it; ignored`);
      return undefined;
    }
    return Number(raw);
  };
  const copied = num('GH_OST_COPIED_ROWS', COUNT);
  if (copied !== undefined) out.copiedRows = copied;
  const estimated = num('GH_OST_ESTIMATED_ROWS', COUNT);
  if (estimated !== undefined) out.estimatedRows = estimated;
  if (env.GH_OST_ETA_SECONDS !== ETA_UNKNOWN) {
    const eta = num('GH_OST_ETA_SECONDS', COUNT);
    if (eta !== undefined) out.etaSeconds = eta;
  }
  const inspected = num('GH_OST_INSPECTED_LAG', FLOAT);
  if (inspected !== undefined) out.inspectedLag = inspected;
  const heartbeat = num('GH_OST_HEARTBEAT_LAG', FLOAT);
  if (heartbeat !== undefined) out.heartbeatLag = heartbeat;
  // gh-ost passes GH_OST_STATUS='<status line>' (with the quotes); the state follows "State: ".
  const state = /State: ([a-z -]+?)(?:,|;|$)/.exec(env.GH_OST_STATUS ?? '')?.[1];
  if (state !== undefined) out.throttled = state === 'throttled';
  if (env.GH_OST_DATABASE_NAME) out.database = env.GH_OST_DATABASE_NAME;
  if (env.GH_OST_TABLE_NAME) out.table = env.GH_OST_TABLE_NAME;
  return out;
}

/** Kept between hook calls of one migration (the state file). */
export interface HookState {
  phase?: string;
  copiedRows: number;
  estimatedRows: number;
  /** When rows last moved or the phase changed (ms since the epoch). */
  lastProgressMs: number;
  errors: number;
  throttled: boolean;
  heartbeatLag?: number;
  inspectedLag?: number;
  etaSeconds?: number;
  /** The last event seen, for people reading the file. */
  lastEvent?: GhOstEvent;
}

/** The phase map in force: the defaults whose phase the definition has, then `--phase-map` entries. */
export function phaseMap(model: ResolvedMigration, overrides: Partial<Record<GhOstEvent, string>>): Partial<Record<GhOstEvent, string>> {
  const phases = new Set(model.phases.map((p) => p.id));
  const map: Partial<Record<GhOstEvent, string>> = {};
  for (const [event, phase] of Object.entries(DEFAULT_PHASE_MAP) as [GhOstEvent, string][]) if (phases.has(phase)) map[event] = phase;
  return { ...map, ...overrides };
}

/** The state after `event`. on-startup starts a new run (counters from 0). */
export function nextState(prev: HookState | undefined, event: GhOstEvent, env: GhOstEnv, map: Partial<Record<GhOstEvent, string>>, nowMs: number): HookState {
  const fresh = event === 'gh-ost-on-startup' || prev === undefined;
  const base: HookState = fresh ? { copiedRows: 0, estimatedRows: 0, lastProgressMs: nowMs, errors: 0, throttled: false } : { ...prev };
  // Without a state (the hooks were installed mid-run), a copy under way is the copy phase.
  const inferred = prev === undefined && event !== 'gh-ost-on-startup' && (env.copiedRows ?? 0) > 0 ? map['gh-ost-on-before-row-copy'] : undefined;
  const phase = map[event] ?? base.phase ?? inferred ?? map['gh-ost-on-startup'];
  const copied = env.copiedRows ?? base.copiedRows;
  const next: HookState = {
    ...base,
    ...(phase !== undefined ? { phase } : {}),
    copiedRows: copied,
    estimatedRows: env.estimatedRows ?? base.estimatedRows,
    errors: base.errors + (event === 'gh-ost-on-failure' || event === 'gh-ost-on-batch-copy-retry' ? 1 : 0),
    throttled: event === 'gh-ost-on-status' ? (env.throttled ?? base.throttled) : event === 'gh-ost-on-success' || event === 'gh-ost-on-failure' ? false : base.throttled,
    lastEvent: event,
  };
  if (env.heartbeatLag !== undefined) next.heartbeatLag = env.heartbeatLag;
  if (env.inspectedLag !== undefined) next.inspectedLag = env.inspectedLag;
  if (env.etaSeconds !== undefined) next.etaSeconds = env.etaSeconds;
  else if (event === 'gh-ost-on-status') delete next.etaSeconds;
  const progressed = fresh || copied > base.copiedRows || phase !== base.phase;
  if (progressed) next.lastProgressMs = nowMs;
  return next;
}

/** Labels the pushed group must carry so the definition's selector matches it: its equality matchers. */
export function pushLabels(model: ResolvedMigration): { job: string; groupings: Record<string, string>; unmatched: LabelMatcher[] } {
  const labels: Record<string, string> = {};
  for (const m of model.migrationMatchers) if (m.op === '=' && m.name !== 'migration_id') labels[m.name] = m.value;
  const job = labels.job ?? 'migobs';
  const all: Record<string, string> = { ...labels, job, migration_id: model.id };
  const unmatched = model.migrationMatchers.filter((m) => {
    try {
      return !matcherAccepts(m, all[m.name] ?? '');
    } catch {
      return true;
    }
  });
  const { job: _job, ...groupings } = labels;
  void _job;
  return { job, groupings, unmatched };
}

/** Metrics that gh-ost does not report: left out, so gates reading them are unknown, never a false green. */
export const NOT_REPORTED = [METRIC.batches, METRIC.batchDuration, METRIC.rowsVerified, METRIC.rowsMismatched] as const;

/** Extra series from gh-ost's own numbers (not part of the contract). */
export const GH_OST_METRIC = { inspectedLag: 'gh_ost_inspected_lag_seconds', eta: 'gh_ost_eta_seconds' } as const;

/** The contract metrics of a state, ready to push. */
export function stateMetrics(model: ResolvedMigration, state: HookState): MigrationMetrics {
  const metrics = new MigrationMetrics({ migrationId: model.id, type: model.type, owner: model.owner, phases: model.phases.map((p) => p.id), now: () => state.lastProgressMs });
  if (state.phase) metrics.startPhase(state.phase);
  metrics.setRowsTotal(state.estimatedRows);
  metrics.setRowsProcessed(state.copiedRows);
  if (state.heartbeatLag !== undefined) metrics.setLag(state.heartbeatLag);
  else metrics.registry.removeSingleMetric(METRIC.lag);
  metrics.setThrottled(state.throttled);
  if (state.errors > 0) metrics.recordError(state.errors);
  for (const name of NOT_REPORTED) metrics.registry.removeSingleMetric(name);
  const id = { migration_id: model.id };
  if (state.inspectedLag !== undefined) new Gauge({ name: GH_OST_METRIC.inspectedLag, help: 'Replication lag of the server gh-ost inspects (GH_OST_INSPECTED_LAG), seconds.', labelNames: ['migration_id'], registers: [metrics.registry] }).set(id, state.inspectedLag);
  if (state.etaSeconds !== undefined) new Gauge({ name: GH_OST_METRIC.eta, help: "gh-ost's own estimate of the time left (GH_OST_ETA_SECONDS); absent while it has none.", labelNames: ['migration_id'], registers: [metrics.registry] }).set(id, state.etaSeconds);
  return metrics;
}

/** A state file's content, or undefined when it is not one (a new run starts then). */
export function parseState(text: string): HookState | undefined {
  try {
    const s = JSON.parse(text) as Partial<HookState>;
    const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (!s || typeof s !== 'object' || !ok(s.copiedRows) || !ok(s.estimatedRows) || !ok(s.lastProgressMs) || !ok(s.errors) || typeof s.throttled !== 'boolean') return undefined;
    if (s.phase !== undefined && typeof s.phase !== 'string') return undefined;
    return s as HookState;
  } catch {
    return undefined;
  }
}
