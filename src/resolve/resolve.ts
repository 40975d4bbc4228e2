/**
 * Stage 3, resolve: merge a (structurally valid) definition with its preset, the engine signal
 * library and the repo config into the model every generator reads.
 *
 * Merging rules: gates and signals merge by id/name (definition wins field by field), a gate with
 * `enabled: false` is dropped, phases merge by id (new ones appended, `enabled: false` drops one).
 * Resolution never throws on bad input: it leaves NaN/empty values that the semantic rules report.
 */
import type { GateDefinition, MigrationDefinition } from '../definition/types';
import type { ResolvedGate, ResolvedMigration, ResolvedPhase, ResolvedSchedule, ResolvedSignal, RepoConfig, Origin } from '../model/types';
import { engineSignals, loadPreset } from '../presets/load';
import type { LibrarySignal, PresetGate } from '../presets/types';
import { eq, parseSelector, type LabelMatcher } from '../promql/matchers';
import { applyInjection, injectMatchers, injectMatchersBy, parsePromql, syntaxProblems } from '../promql/parse';
import { PROMQL_PLANS } from '../generated/promql-plans';
import { resolveRunner, runnerSignals } from '../progress-sources/gitlab-bbm';
import { parseDurationSeconds } from '../util/duration';
import { resolveTargets } from './targets';
import { parseRfc3339 } from '../util/timestamp';

export const DEFAULTS = {
  scrapeInterval: '30s',
  stalledAfter: '10m',
  gateFor: '2m',
  datasourceUid: 'prometheus',
  folder: 'Migrations',
  page: 'migobs-page',
  notify: 'migobs-notify',
} as const;

/** Metrics of the migobs metric contract get migration_id and the selector injected. */
export const isContractMetric = (metric: string): boolean => metric.startsWith('migration_');

export function resolve(def: MigrationDefinition, sourceFile: string, config: RepoConfig = {}): ResolvedMigration {
  const spec = def.spec;
  const preset = loadPreset(spec.type);

  const selector = parseSelector(spec.selector ?? '');
  const migrationMatchers: LabelMatcher[] = [eq('migration_id', def.metadata.id), ...(selector.problem ? [] : selector.matchers)];

  const targets = resolveTargets(def);
  const phases = resolvePhases(def, preset.phases);
  const phaseIds = phases.map((p) => p.id);
  const runner = resolveRunner(spec.runner, phaseIds);

  // Gates: preset gates for this engine, overridden by id, then the definition's new gates.
  const overrides = new Map<string, GateDefinition>();
  for (const g of spec.gates ?? []) if (!overrides.has(g.id)) overrides.set(g.id, g);
  const presetGates = preset.gates.filter((g) => !g.engines || g.engines.includes(spec.engine));
  const presetIds = new Set(presetGates.map((g) => g.id));
  const gates: ResolvedGate[] = [];
  const disabledGates: string[] = [];
  for (const pg of presetGates) {
    const o = overrides.get(pg.id);
    if (o?.enabled === false) {
      disabledGates.push(pg.id);
      continue;
    }
    gates.push(mergeGate(pg, o, phaseIds, o ? 'definition' : 'preset'));
  }
  const seen = new Set<string>();
  for (const g of spec.gates ?? []) {
    if (presetIds.has(g.id) || seen.has(g.id)) continue;
    seen.add(g.id);
    if (g.enabled === false) {
      disabledGates.push(g.id);
      continue;
    }
    gates.push(mergeGate(undefined, g, phaseIds, 'definition'));
  }

  // Signals: only those gates use, plus every signal the definition declares.
  const library = { ...engineSignals(spec.engine), ...runnerSignals(runner, migrationMatchers) };
  const wanted = new Set([...gates.map((g) => g.signal), ...Object.keys(spec.signals ?? {})]);
  const signals: Record<string, ResolvedSignal> = {};
  for (const name of [...wanted].sort()) {
    const own = spec.signals?.[name];
    const fromPreset = preset.signals?.[name];
    const fromLib = library[name];
    const base: LibrarySignal | undefined = fromPreset ?? fromLib;
    if (!own && !base) continue; // reported by the gate-signal-exists rule
    const origin: Origin = own ? 'definition' : fromPreset ? 'preset' : 'engine';
    const rawExpr = own?.expr ?? base!.expr;
    // Library signals read their declared target; the user's own only when they opt in.
    const target = own ? own.target : base?.target;
    const seriesPer = own ? own.seriesPer : base?.seriesPer;
    const scope = target && target !== 'migration' ? targets[target] : undefined;
    const pick = (metric: string | undefined): LabelMatcher[] => (metric !== undefined && isContractMetric(metric) ? migrationMatchers : (scope?.matchers ?? []));
    // The shipped library's expressions were planned at build time (no parse); others are parsed.
    const plan = PROMQL_PLANS.get(rawExpr);
    const parsed = plan ? undefined : parsePromql(rawExpr);
    const expr = plan ? applyInjection(rawExpr, plan, pick) : syntaxProblems(parsed!).length ? rawExpr : injectMatchersBy(parsed!, pick);
    const expectedSeries = seriesPer ? targets[seriesPer]?.count : undefined;
    signals[name] = {
      name,
      expr,
      rawExpr,
      unit: own?.unit ?? base?.unit ?? 'short',
      title: own?.title ?? (own ? name : base?.title) ?? name,
      description: own?.description ?? (own ? '' : base?.description) ?? '',
      ...(!own && base?.requires ? { requires: base.requires } : {}),
      ...(!own && base?.range ? { range: base.range } : {}),
      ...(target ? { target } : {}),
      ...(seriesPer ? { seriesPer } : {}),
      ...(expectedSeries !== undefined ? { expectedSeries } : {}),
      origin,
    };
  }

  const scrapeInterval = spec.scrapeInterval ?? DEFAULTS.scrapeInterval;
  const stalledAfter = spec.stalledAfter ?? preset.stalledAfter ?? DEFAULTS.stalledAfter;
  const expectedSeconds = spec.expectedDuration ? parseDurationSeconds(spec.expectedDuration) : undefined;
  const br = spec.blastRadius ?? {};
  return {
    id: def.metadata.id,
    title: def.metadata.title,
    owner: def.metadata.owner,
    ...(def.metadata.description ? { description: def.metadata.description } : {}),
    links: def.metadata.links ?? [],
    type: spec.type,
    typeTitle: preset.title,
    engine: spec.engine,
    blastRadius: {
      tables: br.tables ?? [],
      writePath: br.writePath ?? false,
      rollback: br.rollback ?? 'easy',
      ...(br.forwardFix ? { forwardFix: br.forwardFix } : {}),
    },
    ...(spec.expectedDuration ? { expectedDuration: spec.expectedDuration } : {}),
    ...(expectedSeconds !== undefined ? { expectedDurationSeconds: expectedSeconds } : {}),
    scrapeInterval,
    scrapeIntervalSeconds: parseDurationSeconds(scrapeInterval) ?? 30,
    stalledAfter,
    stalledAfterSeconds: parseDurationSeconds(stalledAfter) ?? 600,
    ...(spec.schedule && (spec.schedule.notBefore !== undefined || spec.schedule.notAfter !== undefined) ? { schedule: resolveSchedule(spec.schedule) } : {}),
    migrationMatchers,
    ...(runner ? { runner } : {}),
    targets,
    phases,
    signals,
    gates,
    disabledGates,
    routing: {
      page: spec.routing?.page ?? config.routing?.page ?? DEFAULTS.page,
      notify: spec.routing?.notify ?? config.routing?.notify ?? DEFAULTS.notify,
    },
    grafana: {
      datasourceUid: spec.grafana?.datasourceUid ?? config.datasourceUid ?? DEFAULTS.datasourceUid,
      folder: spec.grafana?.folder ?? config.folder ?? DEFAULTS.folder,
    },
    verification: [...(preset.verification ?? []), ...(spec.verification ?? [])],
    rollbackPlan: spec.rollbackPlan ?? preset.runbook?.rollback ?? '',
    decisionOwner: spec.decisionOwner ?? def.metadata.owner,
    decisionProcess: preset.runbook?.decides ?? '',
    config,
    sourceFile,
  };
}

function resolveSchedule(s: { notBefore?: string; notAfter?: string }): ResolvedSchedule {
  const instant = (text: string): { text: string; seconds: number } => {
    const r = parseRfc3339(text);
    return { text, seconds: 'seconds' in r ? r.seconds : Number.NaN };
  };
  return {
    ...(s.notBefore !== undefined ? { notBefore: instant(s.notBefore) } : {}),
    ...(s.notAfter !== undefined ? { notAfter: instant(s.notAfter) } : {}),
  };
}

function resolvePhases(def: MigrationDefinition, presetPhases: ReadonlyArray<{ id: string; title?: string; description?: string; entry?: string[]; proceed?: string[] }>): ResolvedPhase[] {
  const overrides = def.spec.phases ?? [];
  const out: ResolvedPhase[] = [];
  const byId = new Map(overrides.map((p) => [p.id, p]));
  const known = new Set<string>();
  for (const p of presetPhases) {
    known.add(p.id);
    const o = byId.get(p.id);
    if (o?.enabled === false) continue;
    out.push({
      id: p.id,
      title: o?.title ?? p.title ?? p.id,
      ...((o?.description ?? p.description) ? { description: o?.description ?? p.description } : {}),
      entry: o?.entry ?? p.entry ?? [],
      proceed: o?.proceed ?? p.proceed ?? [],
    });
  }
  for (const o of overrides) {
    if (known.has(o.id) || o.enabled === false) continue;
    known.add(o.id);
    out.push({ id: o.id, title: o.title ?? o.id, ...(o.description ? { description: o.description } : {}), entry: o.entry ?? [], proceed: o.proceed ?? [] });
  }
  return out;
}

function mergeGate(base: PresetGate | undefined, o: GateDefinition | undefined, phaseIds: string[], origin: Origin): ResolvedGate {
  const id = (o?.id ?? base?.id)!;
  const pauseFor = o?.for ?? base?.for ?? DEFAULTS.gateFor;
  // An explicit `for` in the definition also resets the preset's rollbackFor, unless rollbackFor is given too.
  const rollbackFor = o?.rollbackFor ?? (o?.for !== undefined ? o.for : (base?.rollbackFor ?? pauseFor));
  const wantedPhases = o?.phases ?? base?.phases;
  // Phases keep the resolved phase order; a preset gate silently loses phases the definition removed.
  const phases = wantedPhases
    ? o?.phases
      ? [...new Set(o.phases)]
      : phaseIds.filter((p) => wantedPhases.includes(p))
    : [...phaseIds];
  const remediation = o?.remediation ?? base?.remediation;
  return {
    id,
    title: o?.title ?? base?.title ?? id,
    signal: o?.signal ?? base?.signal ?? '',
    direction: o?.direction ?? base?.direction ?? 'above',
    pause: o?.pause ?? base?.pause ?? Number.NaN,
    rollback: o?.rollback ?? base?.rollback ?? Number.NaN,
    pauseFor,
    pauseForSeconds: parseDurationSeconds(pauseFor) ?? 0,
    rollbackFor,
    rollbackForSeconds: parseDurationSeconds(rollbackFor) ?? 0,
    phases,
    ...(remediation ? { remediation } : {}),
    origin,
  };
}
