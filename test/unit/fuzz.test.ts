/**
 * Fuzzing over the schema (fast-check, seeded): at least 1,000 generated definitions per run, a mix
 * of valid and subtly invalid ones (random gates, thresholds, directions, phases and signals from
 * the presets and engine libraries; random selectors, expressions and text, hostile strings among
 * them; some with their YAML text damaged). Each must either be refused with located diagnostics
 * (`file:line:col` inside the file, a message, no crash) or generate output that passes:
 *   - the Grafana schema (every valid case), YAML/JSON parsing (every valid case);
 *   - `promtool check rules` (a sample, in one batched call; rule generation is the slow part);
 *   - `amtool check-config` of the fragment merged into a minimal base (a sample, one call).
 * Never a crash or a hang: each step has a time budget. Reproduce with MIGOBS_FUZZ_SEED=<seed>.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { mergeAlertmanager, mergeInputOf, parseBaseConfig } from '../../src/alertmanager/merge';
import type { Engine, MigrationType } from '../../src/definition/types';
import { alertmanagerFiles } from '../../src/generate/alertmanager';
import { dashboardFiles } from '../../src/generate/dashboard';
import { docsFiles } from '../../src/generate/docs';
import { generateAll } from '../../src/generate/index';
import { FILES } from '../../src/generate/names';
import { loadDefinitionText, type LoadedMigration } from '../../src/pipeline';
import { plausibleRange, type PlausibleRange } from '../../src/model/signal-range';
import { engineSignals, loadPreset } from '../../src/presets/load';
import { quotePromqlString } from '../../src/promql/matchers';
import { validateDashboard } from '../helpers/grafana-schema';
import { runTool } from '../helpers/tools';

// CI runs a fixed seed so a red build always means a change broke something; a developer's run
// explores a new seed each time (printed, reproducible with MIGOBS_FUZZ_SEED).
const SEED = Number(process.env.MIGOBS_FUZZ_SEED ?? (process.env.CI ? 20261125 : Date.now() % 2 ** 31));
const RUNS = 1000;
/** Full generation (rules included) costs ~0.5 s a migration: sample it. */
const FULL_SAMPLE = 40;
const AMTOOL_SAMPLE = 12;
// No time budgets here (a loaded CI machine would fail them): `npm run bench` times validation and
// generation of the hostile corpus and the invalid fixtures against their goals.

const TYPES: MigrationType[] = ['schema-only', 'backfill', 'online-rewrite', 'cutover', 'dual-write', 'reindex'];
const ENGINES: Engine[] = ['postgres', 'mysql', 'generic'];
const PRESETS = Object.fromEntries(TYPES.map((t) => [t, loadPreset(t)]));
const SIGNALS = Object.fromEntries(ENGINES.map((e) => [e, Object.keys(engineSignals(e))]));

/** Hostile but legal text: it must come out inert, never be refused for what it says. */
const HOSTILE = [
  '{{ with query "up" }}{{ . }}{{ end }}',
  '{{ $labels.instance }} $labels $value',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  'quote " and \\ backslash \\',
  '`code` ``` fence',
  '| pipe | table |',
  '# heading\n- list\n1. item',
  '-->',
  '}} {{',
  '{',
  'x"} or vector(1) #',
  'Ünïcödé оrders ｏrders 🚀',
  'trailing \\',
  '---\n...',
  '%TAG ! x',
  '&anchor *alias',
  '\t tab',
];
const text = (max = 60): fc.Arbitrary<string> => fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ minLength: 1, maxLength: max }), fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' }));
/** Tiny doubles become 0: thresholds below 1e-9 are refused by threshold-magnitude. */
const sane = (x: number): number => (Math.abs(x) < 1e-9 ? 0 : x);
/** Two distinct thresholds strictly inside a signal's range (so each can be passed, and not always). */
function inRange(a: number, b: number, range: PlausibleRange | undefined): [number, number] {
  let [lo, hi] = a < b ? [a, b] : a > b ? [b, a] : [a, a + 1];
  const mag = (x: number): number => Math.min(Math.abs(x), 1e12); // within threshold-magnitude once shifted
  if (range?.min !== undefined && range.max !== undefined) {
    const at = (x: number): number => sane(range.min! + (range.max! - range.min!) * (0.05 + (0.9 * (Math.abs(x) % 997)) / 997));
    [lo, hi] = [at(lo), at(hi)].sort((x, y) => x - y) as [number, number];
    if (lo === hi) hi = sane(lo + (range.max - lo) / 2);
  } else if (range?.min !== undefined) {
    [lo, hi] = [range.min + 1 + mag(lo), range.min + 1 + mag(hi)].sort((x, y) => x - y) as [number, number];
    if (lo === hi) hi = lo + 1;
  } else if (range?.max !== undefined) {
    [lo, hi] = [range.max - 1 - mag(lo), range.max - 1 - mag(hi)].sort((x, y) => x - y) as [number, number];
    if (lo === hi) lo = hi - 1;
  }
  return [lo, hi];
}
const idArb = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?$/);
const labelValue = fc.oneof(fc.constantFrom('orders', 'x"} or vector(1) #', 'a\\b', 'line\nbreak', 'ü', '{{ $labels }}'), fc.string({ maxLength: 12 }));
const selectorArb = fc
  .array(fc.tuple(fc.constantFrom('job', 'env', 'instance', 'region'), fc.constantFrom('=', '!=', '=~', '!~'), labelValue), { maxLength: 3 })
  // One matcher per label: two on the same label can be unsatisfiable (`job="a", job="b"` selects nothing).
  .map((ms) => ms.filter(([n], k) => ms.findIndex(([o]) => o === n) === k).map(([n, op, v]) => `${n}${op}${quotePromqlString(op.includes('~') ? v.replace(/[\\()[\]{}*+?|^$.]/g, '') : v)}`).join(', '));
// A spec.targets entry: matchers (never empty: an empty selector is refused), fleet, or {selector, count}.
const targetSelectorArb = selectorArb.map((sel) => (sel === '' ? 'fleet' : sel));
const targetArb = fc.oneof(fc.constant('fleet'), targetSelectorArb, fc.record({ selector: targetSelectorArb, count: fc.integer({ min: 1, max: 3 }) }));
const VALID_EXPRS = [
  'max(pg_replication_lag)',
  'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
  'migration_lag_seconds',
  'max(migration_lag_seconds{job="x"}) # trailing comment',
  'vector(1)',
  'max(up{job="{{ $labels.x }}"})',
  'absent(up{job="x\\"y"})',
  'max(migration_rows_processed_total) - min(migration_rows_processed_total offset 5m)',
];

/** One way to make a valid definition invalid; each must be refused with a located message. */
type Mutation = (d: Def, pick: number) => void;
interface Def {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown> & { gates?: Array<Record<string, unknown>> };
}
const firstGate = (d: Def): Record<string, unknown> => {
  d.spec.gates ??= [{ id: 'fuzz-gate', signal: 'migrationLag', pause: 1, rollback: 2 }];
  if (d.spec.gates.length === 0) d.spec.gates.push({ id: 'fuzz-gate', signal: 'migrationLag', pause: 1, rollback: 2 });
  return d.spec.gates[0]!;
};
const choose = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;
const MUTATIONS: Record<string, Mutation> = {
  badId: (d, k) => (d.metadata.id = choose(['../x', 'a"b', '{{x}}', 'оrders', 'A-B', 'x-', '', 'a'.repeat(41)], k)),
  badType: (d, k) => (d.spec.type = choose(['backfil', 'BACKFILL', 42, null], k)),
  badEngine: (d, k) => (d.spec.engine = choose(['oracle', 'postgress', ['postgres']], k)),
  badDirection: (d, k) => (firstGate(d).direction = choose(['sideways', 'up', true], k)),
  badThreshold: (d, k) => (firstGate(d)[choose(['pause', 'rollback'], k)] = choose([Number.NaN, Infinity, -Infinity, '10', null, [1], 1e300, 5e-324], k >> 1)),
  swappedThresholds: (d) => {
    const g = firstGate(d);
    g.pause = 100;
    g.rollback = 1;
    g.direction = 'above';
  },
  badDuration: (d, k) => (firstGate(d).for = choose(['-1m', '1.5m', '2 minutes', '999999999999y', '1m1m', '', 120], k)),
  badScrape: (d, k) => (d.spec.scrapeInterval = choose(['0s', '1h', '-30s', 'often'], k)),
  badExpected: (d, k) => (d.spec.expectedDuration = choose(['30s', '300y', 'soon'], k)),
  badTarget: (d, k) => ((d.spec.targets as Record<string, unknown>).database = choose(['up', 'job="x"} or vector(1) #', '   ', 'instance=~"(("', 'job="a", job="b"', { selector: 'up', count: 1 }], k)),
  badSelector: (d, k) => (d.spec.selector = choose(['job="x"} or vector(1) #', 'job="x\\', 'job=~"(("', 'up', 'job="x" # c', 'migration_id="x"', '__name__="up"', 'job="a"\n} or up'], k)),
  badExpr: (d, k) => (d.spec.signals = { fuzzSignal: { expr: choose(['scalar(up)', '"string"', 'up[5m]', 'max(up)[10m:1m]', 'max(up{job=~"(("})', 'max(up', '', 'up{job=~"(?=x)"}'], k) } }),
  badUrl: (d, k) => (d.metadata.links = [{ title: 'x', url: choose(['javascript:alert(1)', 'https://x/<b>', 'ftp://x', 'data:text/html,x'], k) }]),
  unknownPhase: (d, k) => (firstGate(d).phases = [choose(['rampup', 'cannary', 'x'], k)]),
  emptyPhases: (d) => (firstGate(d).phases = []),
  unknownKey: (d, k) => ((choose([d.spec, d.metadata, firstGate(d)], k) as Record<string, unknown>)[choose(['paus', '__proto__', 'constructor', 'extra'], k >> 2)] = 1),
  badReceiver: (d, k) => (d.spec.routing = { page: choose(['pd-$(touch /tmp/x)', '`id`', 'a;b', 'team "a" {{ x }}', 'ü-pager', 'a,b', '-x', 'x '], k) }),
  unsafeChar: (d, k) => (d.metadata.title = `a${choose(['\u0000', '\u001b[2J', '\u202e', '\ud800', '\u0085'], k)}b`),
  missingField: (d, k) => {
    if (k % 3 === 0) delete d.metadata.owner;
    else if (k % 3 === 1) delete (d as Partial<Def>).spec;
    else firstGate(d).id = undefined;
  },
  newGateWithoutThresholds: (d) => (d.spec.gates = [...(d.spec.gates ?? []), { id: 'brand-new-gate', signal: 'migrationLag' }]),
  duplicateGate: (d) => {
    const g = firstGate(d);
    d.spec.gates!.push({ ...g });
  },
  unknownSignal: (d, k) => (firstGate(d).signal = choose(['replicationLagg', 'nope', '1bad'], k)),
  wrongTypes: (d, k) => {
    const at = choose<[Record<string, unknown>, string]>([[d.metadata, 'title'], [d.spec, 'gates'], [d.spec, 'signals'], [d.spec, 'verification'], [d.metadata, 'links']], k);
    at[0][at[1]] = choose([42, { a: 1 }, true], k >> 3);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);
/** Mutations that must always be refused (the others may land on a spot where they are legal, e.g. a disabled gate). */
const MUST_REFUSE = new Set(['badId', 'badType', 'badEngine', 'badScrape', 'badExpected', 'badSelector', 'badTarget', 'badExpr', 'badUrl', 'badReceiver', 'unsafeChar', 'wrongTypes']);

function definitionArb(): fc.Arbitrary<{ definition: Def; damage?: [string, number]; mutation?: string }> {
  return fc
    .record({
      type: fc.constantFrom(...TYPES),
      engine: fc.constantFrom(...ENGINES),
      id: idArb,
      title: text(),
      owner: text(40),
      description: fc.option(text(200), { nil: undefined }),
      linkTitle: fc.option(text(), { nil: undefined }),
      linkUrl: fc.constantFrom('https://wiki.example.com/x', 'https://x.example/a_(b)?q=1&r=%3C2%3E', 'http://a'),
      selector: fc.option(selectorArb, { nil: undefined }),
      // Every target set: an unset one is refused when an enabled gate's library signal reads it.
      targets: fc.record({ database: targetArb, replicas: targetArb, hosts: targetArb, app: targetArb }),
      scrapeInterval: fc.option(fc.constantFrom('15s', '30s', '1m'), { nil: undefined }),
      expectedDuration: fc.option(fc.constantFrom('1h', '6h', '2d', '1w'), { nil: undefined }),
      customSignal: fc.option(fc.record({ expr: fc.constantFrom(...VALID_EXPRS), title: fc.option(text(), { nil: undefined }), unit: fc.constantFrom('s', 'ratio', 'bytes', '<b>') }), { nil: undefined }),
      gates: fc.array(
        fc.record({
          pickPreset: fc.boolean(),
          pick: fc.nat(),
          newId: idArb,
          signalPick: fc.nat(),
          useCustom: fc.boolean(),
          direction: fc.constantFrom(undefined, 'above', 'below'),
          // Valid thresholds: 0 or a magnitude in [1e-9, 1e15] (threshold-magnitude); extremes are a mutation.
          a: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(sane), fc.integer({ min: -100, max: 10_000 }), fc.constantFrom(0, -0, 1e-9, 1e15)),
          b: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(sane), fc.integer({ min: -100, max: 10_000 })),
          // Holds the rule-test budget (rule-test-cost) accepts for four extra gates on any preset.
          for: fc.option(fc.constantFrom('1m', '2m', '5m', '10m', '20m'), { nil: undefined }),
          phasePicks: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { nil: undefined }),
          title: fc.option(text(), { nil: undefined }),
          remediation: fc.option(text(300), { nil: undefined }),
          enabled: fc.option(fc.boolean(), { nil: undefined }),
        }),
        { maxLength: 4 },
      ),
      phase: fc.option(fc.record({ title: text(), proceed: fc.array(text(), { maxLength: 2 }) }), { nil: undefined }),
      verification: fc.option(fc.array(text(), { maxLength: 2 }), { nil: undefined }),
      rollbackPlan: fc.option(text(400), { nil: undefined }),
      routing: fc.option(fc.record({ page: fc.constantFrom('pager', 'Team A pager', 'pd/orders:eu.1', '0123', 'yes'), notify: fc.constantFrom('slack', 'pager', 'ops@example.com') }), { nil: undefined }),
      folder: fc.option(text(40), { nil: undefined }),
      // About half the cases stay valid; the rest get one mutation or damaged YAML text.
      mutation: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...MUTATION_NAMES), fc.nat()) }),
      damage: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('drop-line', 'tab', 'quote', 'dup-line', 'truncate'), fc.nat()) }),
    })
    .map((r) => {
      const preset = PRESETS[r.type]!;
      const presetGates = (preset.gates ?? []).filter((g) => !g.engines || g.engines.includes(r.engine));
      const phaseIds = (preset.phases ?? []).map((p) => p.id);
      const signals = SIGNALS[r.engine]!;
      const spec: Def['spec'] = { type: r.type, engine: r.engine };
      if (r.selector) spec.selector = r.selector;
      spec.targets = r.targets;
      if (r.scrapeInterval) spec.scrapeInterval = r.scrapeInterval;
      if (r.expectedDuration) spec.expectedDuration = r.expectedDuration;
      if (r.customSignal) spec.signals = { fuzzSignal: r.customSignal.title ? r.customSignal : { expr: r.customSignal.expr, unit: r.customSignal.unit } };
      const seen = new Set<string>();
      const gates = r.gates.flatMap((g) => {
        const base = g.pickPreset && presetGates.length ? presetGates[g.pick % presetGates.length] : undefined;
        const gate: Record<string, unknown> = { id: base?.id ?? g.newId };
        if (seen.has(gate.id as string)) return [];
        seen.add(gate.id as string);
        if (!base || g.useCustom) gate.signal = g.useCustom && r.customSignal ? 'fuzzSignal' : signals[g.signalPick % signals.length];
        // Thresholds inside what the signal can take (threshold-reachable); outside is a mutation's job.
        const name = (gate.signal ?? base?.signal) as string;
        const range = plausibleRange(name === 'fuzzSignal' ? { unit: r.customSignal!.unit } : { unit: 'short', ...(preset.signals?.[name] ?? engineSignals(r.engine)[name]) });
        const [lo, hi] = inRange(g.a, g.b, range);
        if (!base || g.direction || gate.signal) {
          if (g.direction) gate.direction = g.direction;
          const below = (g.direction ?? base?.direction) === 'below';
          gate.pause = below ? hi : lo;
          gate.rollback = below ? lo : hi;
        }
        if (g.for) gate.for = g.for;
        if (g.phasePicks && phaseIds.length) gate.phases = [...new Set(g.phasePicks.map((k) => phaseIds[k % phaseIds.length]!))];
        if (g.title) gate.title = g.title;
        if (g.remediation) gate.remediation = g.remediation;
        if (g.enabled !== undefined) gate.enabled = g.enabled;
        return [gate];
      });
      if (gates.length) spec.gates = gates;
      if (r.phase && phaseIds[0]) spec.phases = [{ id: phaseIds[0], title: r.phase.title, proceed: r.phase.proceed }];
      if (r.verification) spec.verification = r.verification;
      if (r.rollbackPlan) spec.rollbackPlan = r.rollbackPlan;
      if (r.routing) spec.routing = r.routing;
      if (r.folder) spec.grafana = { folder: r.folder };
      const metadata: Record<string, unknown> = { id: r.id, title: r.title, owner: r.owner };
      if (r.description) metadata.description = r.description;
      if (r.linkTitle) metadata.links = [{ title: r.linkTitle, url: r.linkUrl }];
      const definition: Def = { apiVersion: 'migobs/v1', kind: 'Migration', metadata, spec };
      if (r.mutation) MUTATIONS[r.mutation[0]]!(definition, r.mutation[1]);
      return { definition, ...(r.damage ? { damage: r.damage } : {}), ...(r.mutation ? { mutation: r.mutation[0] } : {}) };
    });
}

/** The definition as YAML text, sometimes damaged the way a hand edit would. */
function yamlText(c: { definition: Def; damage?: [string, number] }): string {
  const t = stringify(c.definition, { lineWidth: 0 });
  const damage = c.damage;
  if (!damage) return t;
  const lines = t.split('\n');
  const at = damage[1] % Math.max(1, lines.length - 1);
  switch (damage[0]) {
    case 'drop-line':
      lines.splice(at, 1);
      break;
    case 'tab':
      lines[at] = '\t' + lines[at];
      break;
    case 'quote':
      lines[at] = lines[at] + ' "';
      break;
    case 'dup-line':
      lines.splice(at, 0, lines[at]!);
      break;
    case 'truncate':
      return t.slice(0, Math.floor(t.length * ((at % 9) + 1) / 10));
  }
  return lines.join('\n');
}

let tmp: string | undefined;
afterAll(() => {
  if (tmp && !process.env.MIGOBS_FUZZ_KEEP) rmSync(tmp, { recursive: true, force: true });
});

describe(`fuzz: ${RUNS} generated definitions (seed ${SEED})`, () => {
  it('each is refused with located diagnostics or generates output that passes the real tools', () => {
    // eslint-disable-next-line no-console
    console.log(`fuzz seed: ${SEED} (MIGOBS_FUZZ_SEED=${SEED} reproduces this run)`);
    const cases = fc.sample(definitionArb(), { numRuns: RUNS, seed: SEED });
    tmp = mkdtempSync(join(tmpdir(), 'migobs-fuzz-'));
    const failures: string[] = [];
    const valid: Array<{ name: string; migration: LoadedMigration }> = [];
    let refused = 0;
    const reasons = new Map<string, number>();

    cases.forEach((c, i) => {
      const name = `fuzz-${i}.yaml`;
      const src = yamlText(c);
      const fail = (why: string): void => {
        failures.push(`case ${i}${c.mutation ? ` (mutation ${c.mutation})` : ''}: ${why}\n--- ${name} ---\n${src}`);
      };
      try {
        const r = loadDefinitionText(name, src);
        const lineCount = src.split('\n').length;
        if (!r.ok) {
          refused++;
          if (!c.mutation && !c.damage) fail(`an unmutated definition was refused: ${r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('; ')}`);
          if (process.env.FUZZ_DEBUG) reasons.set(r.diagnostics[0]!.message.slice(0, 50), (reasons.get(r.diagnostics[0]!.message.slice(0, 50)) ?? 0) + 1);
          const errors = r.diagnostics.filter((d) => d.severity === 'error');
          if (errors.length === 0) fail('refused without an error diagnostic');
          for (const d of errors) {
            if (d.file !== name || !(d.line >= 1 && d.line <= lineCount + 1) || !(d.column >= 1) || d.message.trim() === '') fail(`badly located diagnostic ${JSON.stringify(d)}`);
          }
          return;
        }
        if (c.mutation && !c.damage && MUST_REFUSE.has(c.mutation)) fail(`mutation ${c.mutation} was not refused`);
        const m = r.migrations[0]!;
        valid.push({ name, migration: m });
        for (const f of [...dashboardFiles(m.model), ...alertmanagerFiles(m.model), ...docsFiles(m.model)]) {
          if (f.path.endsWith('.json')) {
            const problems = validateDashboard(JSON.parse(f.content));
            if (problems.length) fail(`${f.path} fails the Grafana schema: ${problems.slice(0, 3).join('; ')}`);
          } else if (f.path.endsWith('.yaml')) parse(f.content);
        }
      } catch (e) {
        fail(`crashed: ${(e as Error).stack ?? String(e)}`);
      }
    });

    // Full generation (rules and their promtool tests) for a sample of the valid ones.
    const ruleFiles: string[] = [];
    const step = Math.max(1, Math.floor(valid.length / FULL_SAMPLE));
    const sample = valid.filter((_, k) => k % step === 0).slice(0, FULL_SAMPLE);
    for (const [k, v] of sample.entries()) {
      try {
        const out = generateAll([v.migration.model]);
        for (const f of out) if (f.path.endsWith('.yaml')) parse(f.content);
        const rules = out.find((f) => f.path === FILES.rules(v.migration.model.id))!;
        const dir = join(tmp, `s${k}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'rules.yaml'), rules.content);
        ruleFiles.push(join(dir, 'rules.yaml'));
      } catch (e) {
        failures.push(`${v.name}: full generation crashed: ${(e as Error).stack}\n${v.migration.source.text}`);
      }
    }
    if (ruleFiles.length) {
      const r = runTool('promtool', ['check', 'rules', ...ruleFiles]);
      if (r.code !== 0) failures.push(`promtool check rules failed:\n${(r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '' && !/SUCCESS|^Checking/.test(l)).slice(0, 30).join('\n')}`);
    }

    // Alertmanager: the sample's fragments merged into a minimal base that defines their receivers.
    // Independent fuzz cases may share an id; one Alertmanager config holds each migration once
    // (the merge rightly refuses a migration given twice), so keep the first of each id.
    const amSample = [...new Map(sample.map((v) => [v.migration.model.id, v.migration] as const).reverse()).values()].reverse().slice(0, AMTOOL_SAMPLE);
    if (amSample.length) {
      const inputs = amSample.map(mergeInputOf);
      const names = [...new Set(['default', ...inputs.flatMap((i) => i.receivers.map((x) => x.name))])];
      const baseText = stringify({ route: { receiver: 'default', group_by: ['alertname'] }, receivers: names.map((name) => ({ name })) });
      const base = parseBaseConfig('base.yml', baseText);
      expect(base.diagnostics).toEqual([]);
      const merged = mergeAlertmanager(base.base!, inputs);
      if (!merged.text) failures.push(`alertmanager merge refused: ${JSON.stringify(merged.diagnostics)}`);
      else {
        const file = join(tmp, 'alertmanager.yml');
        writeFileSync(file, merged.text);
        const r = runTool('amtool', ['check-config', file]);
        if (r.code !== 0) failures.push(`amtool check-config failed:\n${r.stdout}${r.stderr}`);
      }
    }

    if (process.env.FUZZ_DEBUG) console.log([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 25));
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${RUNS} cases, ${refused} refused with located diagnostics, ${valid.length} valid (Grafana schema: all; promtool: ${ruleFiles.length}; amtool: ${amSample.length})`);
    expect(failures.slice(0, 5).join('\n\n'), `seed ${SEED}`).toBe('');
    // Both outcomes must be well represented, or the fuzzer tests only one path.
    expect(valid.length).toBeGreaterThan(RUNS * 0.15);
    expect(refused).toBeGreaterThan(RUNS * 0.15);
  }, 120_000);
});

/** Inputs the fuzzer once found that broke a generator, kept as regression tests. */
describe('generator bugs found by fuzzing', () => {
  const design = (patch: (d: Def) => void): string => {
    const d = parse(readFileSync(join(__dirname, '..', 'fixtures', 'valid', 'design-example.yaml'), 'utf8')) as Def;
    patch(d);
    return stringify(d);
  };
  it.each(['job!="a", job=~"b"', 'job=~"a|b", job!="a"', 'job!~"x.*", job=~"x|y"'])('two matchers on one label in the selector (%s) generate rule tests', (selector) => {
    const r = loadDefinitionText('two-matchers.yaml', design((d) => (d.spec.selector = selector)));
    expect(r.diagnostics).toEqual([]);
    expect(() => generateAll(r.migrations.map((m) => m.model))).not.toThrow();
  });
});
