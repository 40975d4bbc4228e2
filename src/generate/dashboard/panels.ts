/**
 * What the dashboard shows, independent of Grafana: rows of panels with their ids, queries,
 * units, thresholds and reading notes. grafana.ts turns this into dashboard.json with the
 * foundation SDK, doc.ts into dashboard.md, so the two can never disagree.
 */
import type { ResolvedGate, ResolvedMigration } from '../../model/types';
import { mdCode, mdLink, mdText } from '../../render/markdown';
import { mdAfterLabel } from '../../render/markdown-user';
import { GATE_STATE, gateAnchor } from '../names';
import { PANEL, gatePanelIds } from '../panel-ids';
import { runbookUrl } from '../urls';
import { dashboardQueries } from './queries';
import { COLOR, gateThresholds, stepFor, type ThresholdStep } from './thresholds';
import { grafanaUnit } from './units';

/** Every panel, target and annotation reads the Prometheus chosen in this template variable. */
export const DATASOURCE_VARIABLE = 'datasource';

export { COLOR, gateThresholds, type ThresholdStep } from './thresholds';

export type PanelKind = 'stat' | 'timeseries' | 'state-timeline' | 'table';

export interface QuerySpec {
  refId: string;
  expr: string;
  /** Grafana legend template, e.g. `{{phase}}`. */
  legend?: string;
  /** Only the latest value matters (current phase, gate table). */
  instant?: boolean;
  /** Rows of a table instead of time series. */
  table?: boolean;
}

/** Numeric value -> text and colour; `value: null` matches missing data. */
export interface ValueMappingSpec {
  value: number | null;
  text: string;
  color: string;
}

export interface PanelSpec {
  id: number;
  kind: PanelKind;
  title: string;
  /** Markdown (names escaped, user Markdown sanitised): Grafana renders panel descriptions as Markdown. */
  description: string;
  /** Markdown: what a reader should look for. */
  howToRead: string;
  queries: QuerySpec[];
  unit: string;
  min?: number;
  max?: number;
  /** Ascending steps; `showThresholds` draws them as lines and areas on a time series. */
  thresholds?: ThresholdStep[];
  showThresholds?: boolean;
  /** Keep the y axis wide enough that threshold lines stay visible. */
  softMin?: number;
  softMax?: number;
  mappings?: ValueMappingSpec[];
  /** Show the series name (legend) instead of the value, e.g. the current phase. */
  showName?: boolean;
  gate?: ResolvedGate;
  /** Panel links (title, url). */
  links?: { title: string; url: string }[];
  width: number;
  height: number;
}

export interface RowSpec {
  id: number;
  title: string;
  panels: PanelSpec[];
}

/** Gate state values (migration:gate:state) and what they mean. */
export const GATE_STATE_MAPPINGS: ValueMappingSpec[] = [
  { value: GATE_STATE.green, text: 'proceed', color: COLOR.proceed },
  { value: GATE_STATE.pause, text: 'pause', color: COLOR.pause },
  { value: GATE_STATE.rollback, text: 'rollback', color: COLOR.rollback },
  { value: GATE_STATE.unknown, text: 'unknown (no data)', color: COLOR.unknown },
  { value: null, text: 'unknown (no data)', color: COLOR.unknown },
];

/** "above 10 s for 2m" */
function condition(gate: ResolvedGate, value: number, forText: string, unit: string): string {
  const shown = unit && unit !== 'short' ? `${value} ${unit}` : `${value}`;
  return `${gate.direction} ${mdText(shown)} for ${mdText(forText)}`;
}

function gateDescription(model: ResolvedMigration, gate: ResolvedGate): string {
  const unit = model.signals[gate.signal]?.unit ?? '';
  const phases = gate.phases.length ? gate.phases.map(mdText).join(', ') : 'every phase';
  return [
    `Gate ${mdText(gate.id)}: pause when ${condition(gate, gate.pause, gate.pauseFor, unit)}; ` +
      `roll back when ${condition(gate, gate.rollback, gate.rollbackFor, unit)}. Applies in: ${phases}.`,
    ...(gate.remediation ? [mdAfterLabel('On pause:', gate.remediation)] : []),
    // Without runbookBaseUrl the runbook has no URL, only its path in the output folder: say where it is instead of a dead link.
    model.config.runbookBaseUrl ? mdLink('Runbook section', runbookUrl(model, gateAnchor(gate))) : `Runbook section: ${mdCode(runbookUrl(model, gateAnchor(gate)))} in the output folder`,
  ].join('\n\n');
}

function gatePanel(model: ResolvedMigration, gate: ResolvedGate, id: number): PanelSpec {
  const signal = model.signals[gate.signal];
  // The gate-signal-exists rule guarantees this; a panel without its signal would show nothing.
  if (!signal) throw new Error(`gate ${gate.id}: unknown signal ${gate.signal}`);
  const low = Math.min(gate.pause, gate.rollback);
  const high = Math.max(gate.pause, gate.rollback);
  const worse = gate.direction === 'below' ? 'below' : 'above';
  return {
    id,
    kind: 'timeseries',
    title: gate.title,
    description: gateDescription(model, gate),
    howToRead:
      `The shaded bands are the gate: ${COLOR.proceed} proceeds, ${COLOR.pause} (${worse} ${gate.pause}) pauses, ` +
      `${COLOR.rollback} (${worse} ${gate.rollback}) rolls back. A value that stays in a band longer than its \`for\` fires that alert; ` +
      `a value exactly on a boundary is still on the green side. No line at all (no data) means the gate is unknown, which counts as pause.`,
    queries: [{ refId: 'A', expr: signal.expr }],
    unit: grafanaUnit(signal.unit),
    thresholds: gateThresholds(gate),
    showThresholds: true,
    softMax: high,
    ...(gate.direction === 'below' ? { softMin: low } : {}),
    gate,
    links: [{ title: `Runbook: ${gate.title}`, url: runbookUrl(model, gateAnchor(gate)) }],
    width: 12,
    height: 8,
  };
}

function progressRow(model: ResolvedMigration, q: ReturnType<typeof dashboardQueries>): RowSpec {
  const window = model.expectedDurationSeconds;
  return {
    id: PANEL.progressRow,
    title: 'Progress',
    panels: [
      {
        id: PANEL.percentDone,
        kind: 'stat',
        title: 'Percent done',
        description: 'Rows processed as a share of the estimated total (recording rule `migration:progress:ratio`).',
        howToRead: 'Should rise steadily towards 100%. A flat line while the migration runs means it is stalled; the total is an estimate, so the last percent may jump.',
        queries: [{ refId: 'A', expr: q.progress }],
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 6,
        height: 5,
      },
      {
        id: PANEL.rowsRate,
        kind: 'stat',
        title: 'Rows per second',
        description: 'Rows processed per second over the last 5 minutes (recording rule `migration:rows_processed:rate5m`).',
        howToRead: 'Throughput. A drop to zero outside a planned pause means the migration stalled; a sudden fall often means throttling or lock waits.',
        queries: [{ refId: 'A', expr: q.rowsRate }],
        unit: 'short',
        width: 6,
        height: 5,
      },
      {
        id: PANEL.eta,
        kind: 'stat',
        title: 'ETA (remaining)',
        description:
          window !== undefined
            ? `Estimated time to completion at the current rate (\`migration:eta:seconds\`). Turns red beyond the planned window of ${mdText(model.expectedDuration ?? `${window}s`)}.`
            : 'Estimated time to completion at the current rate (`migration:eta:seconds`). No planned window is set (expectedDuration).',
        howToRead:
          window !== undefined
            ? `Green while the remaining time fits in the planned window (${mdText(model.expectedDuration ?? `${window}s`)}), red when it does not: plan for the overrun or speed up.`
            : 'Remaining time at the current throughput; it grows when throughput falls.',
        queries: [{ refId: 'A', expr: q.eta }],
        unit: 's',
        // Red once the ETA is past the window, as the ETA alert (`> window`) judges it.
        thresholds: [{ value: null, color: COLOR.proceed }, ...(window !== undefined ? [{ value: stepFor('above', window), color: COLOR.rollback }] : [])],
        width: 6,
        height: 5,
      },
      {
        id: PANEL.currentPhase,
        kind: 'stat',
        title: 'Current phase',
        description: 'The phase the migration reports as current (`migration_phase == 1`).',
        howToRead: `Phases in order: ${model.phases.map((p) => mdText(p.id)).join(' → ') || 'none'}. Empty means the migration is not reporting a phase, so phase-scoped gate alerts cannot fire.`,
        queries: [{ refId: 'A', expr: q.currentPhase, legend: '{{phase}}', instant: true }],
        unit: 'short',
        showName: true,
        width: 6,
        height: 5,
      },
      {
        id: PANEL.batchesByOutcome,
        kind: 'timeseries',
        title: 'Batches by outcome',
        description: 'Batches per second, split by the `outcome` label of `migration_batches_total`.',
        howToRead: 'Mostly successful batches is healthy. A growing share of failed or retried batches precedes a pause; compare with the batch error ratio gate if there is one.',
        queries: [{ refId: 'A', expr: q.batchesByOutcome, legend: '{{outcome}}' }],
        unit: 'ops',
        width: 12,
        height: 8,
      },
      {
        id: PANEL.batchDuration,
        kind: 'timeseries',
        title: 'Batch duration p50 / p95 / p99',
        description: 'Quantiles of `migration_batch_duration_seconds`.',
        howToRead: 'p50 is the typical batch, p99 the slow tail. A rising p99 with a flat p50 points at lock waits or hot rows; all three rising points at load on the database.',
        queries: [
          { refId: 'A', expr: q.batchDurationQuantile(0.5), legend: 'p50' },
          { refId: 'B', expr: q.batchDurationQuantile(0.95), legend: 'p95' },
          { refId: 'C', expr: q.batchDurationQuantile(0.99), legend: 'p99' },
        ],
        unit: 's',
        width: 12,
        height: 8,
      },
      {
        id: PANEL.throttled,
        kind: 'state-timeline',
        title: 'Throttled',
        description: 'Whether the migration runner is throttling itself (`migration_throttled`).',
        howToRead: 'Orange stretches are self-throttling (expected under load). Long or frequent stretches mean the batch size or rate is too high for the database.',
        queries: [{ refId: 'A', expr: q.throttled, legend: 'throttled' }],
        unit: 'short',
        mappings: [
          { value: 0, text: 'running', color: COLOR.proceed },
          { value: 1, text: 'throttled', color: COLOR.pause },
          { value: null, text: 'no data', color: COLOR.unknown },
        ],
        width: 12,
        height: 6,
      },
      {
        id: PANEL.lag,
        kind: 'timeseries',
        title: 'Migration lag',
        description: 'How far the migration is behind its source (`migration_lag_seconds`), as reported by the runner.',
        howToRead: 'Should stay flat or fall. A steadily rising lag means the migration cannot keep up with new writes.',
        queries: [{ refId: 'A', expr: q.lag, legend: 'lag' }],
        unit: 's',
        width: 12,
        height: 6,
      },
    ],
  };
}

function safetyRow(model: ResolvedMigration, q: ReturnType<typeof dashboardQueries>): RowSpec {
  const ids = gatePanelIds(model);
  const stateHeight = Math.max(6, 3 + model.gates.length);
  return {
    id: PANEL.safetyRow,
    title: 'Safety',
    panels: [
      {
        id: PANEL.gateStateTimeline,
        kind: 'state-timeline',
        title: 'Gate states',
        description: 'The state of every gate over time (recording rule `migration:gate:state`): proceed, pause, rollback or unknown.',
        howToRead: `Green is proceed, ${COLOR.pause} pause, ${COLOR.rollback} roll back, ${COLOR.unknown} unknown (the signal has no data, which counts as pause). The worst gate decides; \`migobs gate\` reads the same states.`,
        queries: [{ refId: 'A', expr: q.gateState, legend: '{{gate}}' }],
        unit: 'short',
        mappings: GATE_STATE_MAPPINGS,
        width: 16,
        height: stateHeight,
      },
      {
        id: PANEL.gateOverview,
        kind: 'table',
        title: 'Gates now',
        description: 'The latest state of every gate (`migration:gate:state`).',
        howToRead: 'One row per gate, coloured like the state timeline. A gate missing from the table has no recorded state yet, which counts as unknown.',
        queries: [{ refId: 'A', expr: q.gateState, instant: true, table: true }],
        unit: 'short',
        mappings: GATE_STATE_MAPPINGS,
        width: 8,
        height: stateHeight,
      },
      ...model.gates.map((g) => gatePanel(model, g, ids.get(g.id)!)),
    ],
  };
}

function correctnessRow(q: ReturnType<typeof dashboardQueries>): RowSpec {
  return {
    id: PANEL.correctnessRow,
    title: 'Correctness',
    panels: [
      {
        id: PANEL.verifiedVsMismatched,
        kind: 'timeseries',
        title: 'Rows verified vs mismatched',
        description: 'Sampled correctness checks: rows verified and rows found mismatched per second (`migration_rows_verified_total`, `migration_rows_mismatched_total`).',
        howToRead: 'Mismatched should stay at zero. Any mismatch is worth a look before the next phase; no verified rows at all means verification is not running.',
        queries: [
          { refId: 'A', expr: q.rowsVerified, legend: 'verified' },
          { refId: 'B', expr: q.rowsMismatched, legend: 'mismatched' },
        ],
        unit: 'short',
        width: 12,
        height: 8,
      },
      {
        id: PANEL.mismatchRatio,
        kind: 'timeseries',
        title: 'Mismatch ratio',
        description: 'Mismatched rows as a share of verified rows.',
        howToRead: 'Should be 0%. A ratio that grows with the migration points at a bug in the transformation, not at noise.',
        queries: [{ refId: 'A', expr: q.mismatchRatio, legend: 'mismatch ratio' }],
        unit: 'percentunit',
        min: 0,
        width: 12,
        height: 8,
      },
    ],
  };
}

/** The rows of the dashboard, in display order. */
export function dashboardLayout(model: ResolvedMigration): RowSpec[] {
  const q = dashboardQueries(model);
  return [progressRow(model, q), safetyRow(model, q), correctnessRow(q)];
}
