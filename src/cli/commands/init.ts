import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { Document, isMap, isSeq, YAMLMap, type Node, type Pair } from 'yaml';
import { ENGINES, MIGRATION_TYPES, TARGET_NAMES, type Engine, type MigrationDefinition, type MigrationType, type TargetDefinition, type TargetName } from '../../definition/types';
import { UserError } from '../../diagnostics';
import { CONFIG_FILE } from '../../load/config';
import { engineSignals, loadPreset } from '../../presets/load';
import { TARGET_PLACEHOLDER, TARGET_MEANING } from '../../resolve/targets';
import { didYouMean } from '../../util/suggest';
import { writeFileAtomic } from '../../write/atomic';

export const SCHEMA_IN_PACKAGE = 'node_modules/migration-observability/schema/migration.schema.json';
const ID_RE = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * `migobs init <id> --type T [--engine E] [--out FILE] [--force]`: a commented definition that
 * validates, and a `migobs.config.yaml` with the alert link keys when there is none yet.
 */
export async function initCommand(id: string, opts: { type: string; engine: string; out?: string; force?: boolean; config?: string }): Promise<number> {
  if (!ID_RE.test(id)) {
    throw new UserError(`invalid migration id \`${id}\`: use lower-case letters, digits and dashes, 1-40 characters, starting and ending with a letter or digit`);
  }
  if (!MIGRATION_TYPES.includes(opts.type as MigrationType)) {
    throw new UserError(`unknown --type \`${opts.type}\`${didYouMean(opts.type, MIGRATION_TYPES)}; choose one of ${MIGRATION_TYPES.join(', ')}`);
  }
  if (!ENGINES.includes(opts.engine as Engine)) {
    throw new UserError(`unknown --engine \`${opts.engine}\`${didYouMean(opts.engine, ENGINES)}; choose one of ${ENGINES.join(', ')}`);
  }
  const out = opts.out ?? `migrations/${id}.yaml`;
  if (existsSync(out) && !opts.force) throw new UserError(`${out} already exists; pass --force to overwrite it`);
  // Editors resolve the schema relative to the file: point at the installed package's copy.
  const schemaRef = relative(dirname(resolvePath(out)), join(process.cwd(), SCHEMA_IN_PACKAGE)).split('\\').join('/');
  const text = renderInit(id, opts.type as MigrationType, opts.engine as Engine, schemaRef);
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, text);
  process.stdout.write(`wrote ${out}\n`);
  // The repo config lives where migobs reads it: the current folder (or --config FILE).
  const config = opts.config ?? CONFIG_FILE;
  if (existsSync(config)) {
    process.stdout.write(`kept ${config} (it exists; init never overwrites it)\n`);
  } else {
    mkdirSync(dirname(config), { recursive: true });
    writeFileAtomic(config, renderConfig());
    process.stdout.write(`wrote ${config}: replace the placeholder grafanaUrl and runbookBaseUrl, or alert links stay dead in Slack and PagerDuty\n`);
  }
  process.stdout.write(`next: edit ${out}, then run \`migobs validate ${out}\` and \`migobs generate ${out}\`\n`);
  return 0;
}

/** Placeholders `migobs lint` (relative-link) recognises as not set yet: reserved example hosts. */
export const CONFIG_PLACEHOLDERS = {
  grafanaUrl: 'https://grafana.example.com',
  runbookBaseUrl: 'https://git.example.com/your-org/observability/blob/main/out',
} as const;

/** The starter migobs.config.yaml: the two keys that make alert links absolute, with what to put there. */
export function renderConfig(): string {
  const doc = new Document({ ...CONFIG_PLACEHOLDERS });
  doc.commentBefore = [
    ' migobs repo config, read by every migobs command run in this folder (or pass --config FILE).',
    ' Written by `migobs init` with placeholders: replace them. Alerts carry runbook_url and',
    ' dashboard_url built from these keys; without them the links are relative (runbook.md#...,',
    ' /d/...) and lead nowhere in Slack, PagerDuty or email. `migobs lint` warns (relative-link)',
    ' while a link is relative or still points at a placeholder host. Reference: docs/definition.md.',
  ].join('\n');
  const root = doc.contents as YAMLMap;
  comment(root, 'grafanaUrl', " your Grafana's base URL; dashboard_url = <grafanaUrl>/d/<migration id>?viewPanel=<panel>");
  comment(root, 'runbookBaseUrl', ' where the folder `migobs generate` writes (--out-dir) can be read in a browser, e.g. on your\n Git host; runbook_url = <runbookBaseUrl>/<path of the runbook in that folder>#<anchor>');
  return doc.toString({ lineWidth: 0 });
}

/** The commented starter definition, built as a YAML document (no string templates of user text). */
export function renderInit(id: string, type: MigrationType, engine: Engine, schemaRef = `../${SCHEMA_IN_PACKAGE}`): string {
  const preset = loadPreset(type);
  const signals = { ...engineSignals(engine), ...(preset.signals ?? {}) };
  const gates = preset.gates.filter((g) => !g.engines || g.engines.includes(engine));
  // The targets the preset's gates read (and the one whose count guards them), with placeholders.
  const read = new Set<TargetName>();
  for (const g of gates) {
    const s = signals[g.signal];
    if (s?.target && s.target !== 'migration') read.add(s.target);
    if (s?.seriesPer) read.add(s.seriesPer);
  }
  const targets = Object.fromEntries(TARGET_NAMES.filter((t) => read.has(t)).map((t) => [t, placeholderTarget(t, engine)]));
  const def: MigrationDefinition = {
    apiVersion: 'migobs/v1',
    kind: 'Migration',
    metadata: { id, title: `${preset.title}: ${id}`, owner: 'team-unknown', links: [] },
    spec: {
      type,
      engine,
      blastRadius: { tables: [], writePath: true, rollback: 'easy' },
      expectedDuration: '6h',
      scrapeInterval: '30s',
      selector: `job="${id}"`,
      ...(read.size ? { targets } : {}),
      gates: gates.map((g) => ({ id: g.id, pause: g.pause, rollback: g.rollback, for: g.for, ...(g.rollbackFor ? { rollbackFor: g.rollbackFor } : {}) })),
      routing: { page: 'migobs-page', notify: 'migobs-notify' },
      grafana: { datasourceUid: 'prometheus', folder: 'Migrations' },
      verification: [],
    },
  };
  const doc = new Document(def);
  doc.commentBefore = [
    ` yaml-language-server: $schema=${schemaRef}`,
    ` Written by \`migobs init\` from the ${type} preset with ${engine} signals.`,
    ' Reference: docs/definition.md. Check with `migobs validate`, then `migobs generate`.',
  ].join('\n');
  const root = doc.contents as YAMLMap;
  const metadata = root.get('metadata', true) as unknown as YAMLMap;
  comment(metadata, 'id', ' migration_id label value, dashboard uid and name of the output files');
  comment(metadata, 'owner', ' the owning team; shown in alerts and the runbook');
  comment(metadata, 'links', ' design doc, ticket, PR: [{title: Design doc, url: "https://..."}]');
  const spec = root.get('spec', true) as unknown as YAMLMap;
  comment(spec, 'type', ` preset: ${preset.title}. ${preset.summary ?? ''}`.trimEnd());
  comment(spec, 'engine', ' signal library: metric names of the standard exporters');
  comment(spec, 'blastRadius', ' tables written; rollback: trivial | easy | hard | irreversible (irreversible needs forwardFix)');
  comment(spec, 'expectedDuration', ' the ETA alert fires when the remaining time exceeds it\n optional change window: schedule: {notBefore: 2027-01-12T21:00:00+01:00, notAfter: 2027-01-13T05:00:00+01:00}\n (no alert outside it; see "Lifecycle" in docs/definition.md)');
  comment(spec, 'scrapeInterval', ' lint checks that every `for` is >= 2x and rate windows >= 4x this');
  comment(spec, 'selector', ' extra matchers for the migration_* metrics; migration_id is always added');
  comment(
    spec,
    'targets',
    [
      ' The systems the library signals read, as label matchers (like `selector`): migobs injects them into every',
      ' exporter selector, so another database on the same Prometheus cannot pause or roll back this migration.',
      ` Replace each ${TARGET_PLACEHOLDER} (until then these gates read nothing: unknown, which pauses). \`fleet\` reads every`,
      ' series on purpose; {selector, count: N} also expects exactly N series (a vanished replica is unknown, not green).',
    ].join('\n'),
  );
  const targetsNode = spec.get('targets', true);
  const postgresReplicas = ' the standbys: postgres signals see them from the primary, so only `count` (how many stream) is used';
  if (isMap(targetsNode)) for (const t of read) comment(targetsNode as YAMLMap, t, t === 'replicas' && engine === 'postgres' ? postgresReplicas : ` ${TARGET_MEANING[t].what}`);
  comment(spec, 'gates', ' preset gates, merged by id: change any field, or `enabled: false` to drop one.\n Add your own with id, signal, pause, rollback, for (signals: see `migobs presets ' + type + ' --engine ' + engine + '`).');
  comment(spec, 'routing', ' Alertmanager receivers: page gets rollback (critical), notify gets pause (warning)');
  comment(spec, 'verification', ' extra verification steps, added to the preset ones');
  const gatesNode = spec.get('gates', true);
  if (isSeq(gatesNode)) {
    gatesNode.items.forEach((item, i) => {
      const g = gates[i]!;
      const s = signals[g.signal];
      const lines = [` ${g.title ?? g.id}: ${g.signal} ${g.direction === 'below' ? '(lower is worse)' : '(higher is worse)'}${s?.unit ? `, unit ${s.unit}` : ''}`];
      if (s) lines.push(`   ${s.expr.replace(/\s+/g, ' ')}`);
      if (s?.requires) lines.push(`   needs: ${s.requires}`);
      if (s?.target && s.target !== 'migration') lines.push(`   reads: spec.targets.${s.target}${s.seriesPer ? ` (one series per ${s.seriesPer === 'replicas' ? 'replica' : s.seriesPer === 'hosts' ? 'host' : s.seriesPer}: checked against its count)` : ''}`);
      lines.push(`   phases: ${(g.phases ?? ['all']).join(', ')}`);
      (item as Node).commentBefore = lines.join('\n');
    });
  }
  return doc.toString({ lineWidth: 0 });
}

/** A placeholder selector for a target: obviously not real (lint warns until it is replaced), still valid. */
function placeholderTarget(t: TargetName, engine: Engine): TargetDefinition {
  const port = engine === 'mysql' ? 9104 : 9187;
  switch (t) {
    case 'database':
      return `instance="${TARGET_PLACEHOLDER}-primary:${port}"`;
    case 'replicas':
      return { selector: `instance=~"${TARGET_PLACEHOLDER}-replica-1:${port}|${TARGET_PLACEHOLDER}-replica-2:${port}"`, count: 2 };
    case 'hosts':
      return `instance=~"${TARGET_PLACEHOLDER}-db-host-[0-9]+:9100"`;
    case 'app':
      return `job="${TARGET_PLACEHOLDER}-app"`;
  }
}

function comment(map: YAMLMap, key: string, text: string): void {
  if (!isMap(map)) return;
  const pair = map.items.find((p: Pair) => (p.key as { value?: unknown })?.value === key);
  if (pair) (pair.key as Node).commentBefore = text;
}
