/**
 * runbook.md: what the people running the migration read. Overview, phases with entry and proceed
 * checklists, one section per gate (anchor `gate-<id>`, the target of every gate alert's
 * runbook_url), the meta alerts (`#stalled`, `#eta-overrun`, `#metrics-absent`), verification and
 * closeout. Names and titles go through `mdText` (shown literally); prose the user or a preset
 * wrote (rollback plan, remediation, criteria, descriptions) is Markdown and goes through
 * markdown-user.ts, which keeps its code blocks byte for byte and neutralises HTML and unsafe links.
 */
import { basename } from 'node:path';
import type { ResolvedGate, ResolvedMigration, ResolvedPhase } from '../../model/types';
import { mdAnchor, mdCode, mdCodeBlock, mdLink, mdTable, mdText } from '../../render/markdown';
import { mdAfterLabel, mdListItem, mdMarkdown } from '../../render/markdown-user';
import { markdownHeader } from '../../render/serialize';
import { ALERT, DOC_FILE, META_ANCHOR, SEVERITY, alertAnchor, gateAnchor, metaAlertAnchor, panelAnchor } from '../names';
import { PANEL, gatePanelIds } from '../panel-ids';
import { dashboardUrl } from '../urls';
import { lifecycleText, scheduleText } from '../lifecycle-text';

/** Runbook section on when the alerts are active (docs/definition.md "Lifecycle"). */
const LIFECYCLE_ANCHOR = 'lifecycle';

export const PHASES_ANCHOR = 'phases';
export const GATES_ANCHOR = 'gates';
export const FORWARD_FIX_ANCHOR = 'forward-fix';
export const phaseAnchor = (phase: Pick<ResolvedPhase, 'id'>): string => `phase-${phase.id}`;

const alertsLink = (text: string, anchor: string): string => mdLink(text, `${DOC_FILE.alertsDoc}#${anchor}`);
const gateLink = (g: ResolvedGate): string => mdLink(g.title || g.id, `#${gateAnchor(g)}`);
const heading = (level: number, anchor: string, text: string): string => `${mdAnchor(anchor)}\n${'#'.repeat(level)} ${text}`;

/** A panel: in Grafana when grafanaUrl is configured (a bare `/d/...` path resolves nowhere in a repo), else in dashboard.md. */
function panelLink(model: ResolvedMigration, panelId: number, text: string): string {
  const doc = mdLink(`${text} (dashboard.md)`, `${DOC_FILE.dashboardDoc}#${panelAnchor(panelId)}`);
  return model.config.grafanaUrl ? `${mdLink(text, dashboardUrl(model, panelId))} · ${doc}` : doc;
}

/** A file name as a shell word (quoted only when it needs to be). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Criteria and checks are user Markdown: each is one checklist item, code blocks indented inside it. */
const checklist = (items: string[]): string => items.map((i) => mdListItem('- [ ]', i)).join('\n');

function comparison(g: ResolvedGate, threshold: number): string {
  return `${g.direction === 'below' ? '<' : '>'} ${threshold}`;
}

function overview(model: ResolvedMigration): string[] {
  const br = model.blastRadius;
  const rows: [string, string][] = [
    ['Migration id', mdCode(model.id)],
    ['Owner', mdText(model.owner)],
    ['Type', `${mdText(model.typeTitle)} (${mdCode(model.type)})`],
    ['Engine', mdCode(model.engine)],
    ['Tables', br.tables.length ? br.tables.map(mdCode).join(', ') : 'none listed'],
    ['Write path', br.writePath ? 'yes: production writes go through the migrated data' : 'no'],
    ['Rollback difficulty', mdText(br.rollback)],
    ['Forward fix', br.forwardFix ? mdLink('below', `#${FORWARD_FIX_ANCHOR}`) : 'none written down'],
    ['Expected duration', model.expectedDuration ? mdCode(model.expectedDuration) : 'not set (no ETA alert window)'],
    ['Stalled after', `${mdCode(model.stalledAfter)} without progress`],
    ['Alerts active', `${scheduleText(model) ? `${scheduleText(model)}, ` : ''}while the runner runs and has not finished (${mdLink('lifecycle', `#${LIFECYCLE_ANCHOR}`)})`],
    ['Decision owner', mdText(model.decisionOwner)],
    ['Page / notify', `${mdCode(model.routing.page)} / ${mdCode(model.routing.notify)} (Alertmanager receivers)`],
    ['Dashboard', model.config.grafanaUrl ? mdLink('Grafana dashboard', dashboardUrl(model)) : `${mdCode(dashboardUrl(model))} on your Grafana (uid ${mdCode(model.id)})`],
    ['Generated docs', `${mdLink('alerts', DOC_FILE.alertsDoc)}, ${mdLink('dashboard panels', DOC_FILE.dashboardDoc)}`],
  ];
  const parts = [heading(2, 'overview', 'Overview'), mdTable(['', ''], rows)];
  if (model.description) parts.push(mdMarkdown(model.description));
  if (model.links.length) parts.push(['Links:', ...model.links.map((l) => `- ${mdLink(l.title, l.url)}`)].join('\n'));
  if (br.forwardFix) parts.push(heading(3, FORWARD_FIX_ANCHOR, 'Forward fix'), mdMarkdown(br.forwardFix));
  parts.push(heading(3, 'who-decides', 'Who decides'));
  parts.push(mdAfterLabel(`${mdText(model.decisionOwner)} decides.`, model.decisionProcess));
  parts.push(heading(3, 'gates-at-a-glance', 'Gates at a glance'));
  parts.push(
    model.gates.length
      ? mdTable(
          ['Gate', 'Signal', 'Pause when', 'Roll back when', 'Pause for / rollback for', 'Phases'],
          model.gates.map((g) => [gateLink(g), mdCode(g.signal), mdCode(comparison(g, g.pause)), mdCode(comparison(g, g.rollback)), `${mdCode(g.pauseFor)} / ${mdCode(g.rollbackFor)}`, g.phases.map(mdCode).join(', ')]),
        )
      : 'This migration has no gates.',
  );
  if (model.disabledGates.length) parts.push(`Preset gates switched off in the definition: ${model.disabledGates.map(mdCode).join(', ')}.`);
  return parts;
}

function phaseSection(model: ResolvedMigration, phase: ResolvedPhase, index: number, file: string): string[] {
  const gates = model.gates.filter((g) => g.phases.includes(phase.id));
  const gateCheck = mdCode(`migobs gate ${file} --phase ${phase.id} --prometheus-url $PROMETHEUS_URL`);
  const parts = [heading(3, phaseAnchor(phase), `${index + 1}. ${mdText(phase.title || phase.id)} (${mdCode(phase.id)})`)];
  if (phase.description) parts.push(mdMarkdown(phase.description));
  parts.push(`**Gates in this phase:** ${gates.length ? gates.map(gateLink).join(', ') : 'none'}.`);
  parts.push(['**Entry criteria**', '', phase.entry.length ? checklist(phase.entry) : '- [ ] The previous phase is complete'].join('\n'));
  const proceed = [...(gates.length ? [`- [ ] Every gate of this phase is green: ${gateCheck} exits 0 (2 pause or 4 unknown: hold, do not proceed; 3 rollback: roll back, it wins over unknown)`] : []), ...(phase.proceed.length ? [checklist(phase.proceed)] : [])];
  parts.push(['**Proceed when**', '', proceed.length ? proceed.join('\n') : '- [ ] The decision owner agrees'].join('\n'));
  return parts;
}

function gateSection(model: ResolvedMigration, gate: ResolvedGate, panelId: number | undefined, file: string): string[] {
  const signal = model.signals[gate.signal];
  const unit = signal?.unit ? ` ${mdText(signal.unit)}` : '';
  const worse = gate.direction === 'below' ? 'below' : 'above';
  const phases = gate.phases.map((p) => mdLink(p, `#${phaseAnchor({ id: p })}`)).join(', ');
  const parts = [heading(3, gateAnchor(gate), `Gate: ${mdText(gate.title || gate.id)} (${mdCode(gate.id)})`)];
  parts.push(
    mdTable(
      ['', ''],
      [
        ['Signal', signal?.title && signal.title !== gate.signal ? `${mdText(signal.title)} (${mdCode(gate.signal)})` : mdCode(gate.signal)],
        ['Direction', `bad when the value goes ${worse} the thresholds (${gate.direction === 'below' ? 'strictly less' : 'strictly greater'}; a value exactly at a threshold is green)`],
        ['Pause', `${mdCode(comparison(gate, gate.pause))}${unit} for ${mdCode(gate.pauseFor)}`],
        ['Roll back', `${mdCode(comparison(gate, gate.rollback))}${unit} for ${mdCode(gate.rollbackFor)}`],
        ['No data', `unknown: counts as pause (fail-closed); so does a NaN series${signal?.expectedSeries !== undefined ? `, or other than ${signal.expectedSeries} series (spec.targets.${signal.seriesPer}.count)` : ''}`],
        ['Applies in', phases || 'no phase'],
        ['Panel', panelId === undefined ? 'none' : panelLink(model, panelId, `panel ${panelId}`)],
        [
          'Alerts',
          [
            `${alertsLink(ALERT.pause, alertAnchor(gate.id, 'pause'))} (${SEVERITY.pause}, ${mdCode(model.routing.notify)})`,
            `${alertsLink(ALERT.rollback, alertAnchor(gate.id, 'rollback'))} (${SEVERITY.rollback}, ${mdCode(model.routing.page)})`,
            `${alertsLink(ALERT.absent, alertAnchor(gate.id, 'absent'))} (${SEVERITY.pause}, ${mdCode(model.routing.notify)})`,
          ].join(', '),
        ],
        ['Check now', mdCode(`migobs gate ${file} --gate ${gate.id} --prometheus-url $PROMETHEUS_URL`)],
      ],
    ),
  );
  if (signal?.description) parts.push(mdMarkdown(signal.description));
  parts.push(['Query (the gate value is its worst series):', '', mdCodeBlock(signal?.expr ?? '', 'promql')].join('\n'));
  if (signal?.requires) parts.push(mdAfterLabel('Requires:', signal.requires));
  parts.push('**On pause:** pause or throttle the migration first, then:');
  parts.push(gate.remediation ? mdMarkdown(gate.remediation) : `Find out why ${mdCode(gate.signal)} is past ${gate.pause}, fix it, and resume only when the gate is green again.`);
  parts.push(`**On rollback:** stop the migration and follow the ${mdLink('rollback procedure', '#rollback')}.`);
  parts.push(`**Signal absent:** the gate is blind. Pause until the signal is back (check the exporter and the query above); never proceed on no data.`);
  return parts;
}

function metaSections(model: ResolvedMigration): string[] {
  const link = (name: string): string => alertsLink(name, metaAlertAnchor(name));
  return [
    heading(2, 'meta-alerts', 'Migration-wide alerts'),
    heading(3, LIFECYCLE_ANCHOR, 'When the alerts are active'),
    lifecycleText(model),
    heading(3, META_ANCHOR.stalled, 'Stalled'),
    `${link(ALERT.stalled)} (${SEVERITY.rollback}, pages ${mdCode(model.routing.page)}): no progress for ${mdCode(model.stalledAfter)} while the migration is running. ` +
      `Check that the runner is alive and not blocked on a lock, a paused gate or an error loop (${panelLink(model, PANEL.rowsRate, 'rows/s panel')}). ` +
      'A stalled migration that holds locks or an open transaction can hurt production: stop it if you cannot explain the stall.',
    heading(3, META_ANCHOR.etaOverrun, 'ETA beyond the planned window'),
    `${link(ALERT.etaOverrun)} (${SEVERITY.pause}, ${mdCode(model.routing.notify)}): the projected end is beyond the planned window` +
      (model.expectedDuration ? ` of ${mdCode(model.expectedDuration)}` : '') +
      `. Decide with the decision owner whether to raise throughput (within the gates), extend the window, or stop (${panelLink(model, PANEL.eta, 'ETA panel')}).`,
    heading(3, META_ANCHOR.metricsAbsent, 'Migration metrics absent'),
    `${link(ALERT.metricsAbsent)} (${SEVERITY.pause}, ${mdCode(model.routing.notify)}): the runner exported its metrics, then vanished without reporting the run finished, so every gate that reads them is unknown. ` +
      'Check the runner, its metrics endpoint or Pushgateway and the scrape target. Treat it as a pause: do not proceed blind. ' +
      `If the run really is over, the runner should call ${mdCode('finish()')} before it exits (the emitter), or end ${mdCode('spec.schedule')}.`,
  ];
}

function closeout(model: ResolvedMigration, file: string): string {
  const dir = mdCode(`${model.id}/`);
  return [
    '- [ ] Verification checklist complete and signed off by the decision owner',
    `- [ ] Runner reported the run finished (${mdCode('finish()')}: ${mdCode('migration_finished 1')} scraped) before it stopped, so no ${mdCode(ALERT.metricsAbsent)} follows; without it, silence ${mdCode(`migration_id="${model.id}"`)} while you clean up`,
    `- [ ] Rules removed: delete ${dir} (rules, rule tests, dashboard, docs) from the observability repo and let Prometheus reload`,
    `- [ ] Routing removed: regenerate the Alertmanager config without this definition (${mdCode(`migobs alertmanager --base <base.yml> <other definitions>`)}, without ${mdCode(file)})`,
    `- [ ] Dashboard archived (uid ${mdCode(model.id)}): moved to an archive folder, or its JSON attached to the migration ticket`,
    '- [ ] Kill switches, feature flags, temporary indexes and backup columns or tables the migration needed are removed (on a schedule agreed with the decision owner)',
    '- [ ] Outcome, timeline and final gate values recorded in the migration ticket; post-mortem linked if anything paged',
  ].join('\n');
}

/** The full runbook.md text. */
export function renderRunbook(model: ResolvedMigration): string {
  const file = shellWord(basename(model.sourceFile));
  const panels = gatePanelIds(model);
  const sections = [
    `# Runbook: ${mdText(model.title)}`,
    `Migration ${mdCode(model.id)}, owned by ${mdText(model.owner)}. Proceed only on green gates; pause on yellow or unknown; roll back on red. ` +
      `Check all gates with ${mdCode(`migobs gate ${file} --prometheus-url $PROMETHEUS_URL`)} (exit 0 proceed, 2 pause, 3 rollback, 4 unknown; rollback wins over unknown, so one gate past its rollback threshold answers 3 even when others have no data).`,
    ...overview(model),
    heading(2, PHASES_ANCHOR, 'Phases'),
    model.phases.length ? `In order: ${model.phases.map((p) => mdLink(p.title || p.id, `#${phaseAnchor(p)}`)).join(' → ')}.` : 'No phases.',
    ...model.phases.flatMap((p, i) => phaseSection(model, p, i, file)),
    heading(2, GATES_ANCHOR, 'Gates'),
    'Green = proceed, pause = throttle or pause and fix, rollback = stop and roll back. No data counts as pause.',
    ...model.gates.flatMap((g) => gateSection(model, g, panels.get(g.id), file)),
    ...metaSections(model),
    heading(2, 'rollback', 'Rollback procedure'),
    model.rollbackPlan ? mdMarkdown(model.rollbackPlan) : 'No rollback procedure written: write one in spec.rollbackPlan before you start.',
    heading(2, 'verification', 'Verification checklist'),
    model.verification.length ? checklist(model.verification) : '- [ ] Define how correctness is proven (spec.verification)',
    heading(2, 'closeout', 'Closeout checklist'),
    closeout(model, file),
  ];
  return `${markdownHeader(basename(model.sourceFile))}\n${sections.join('\n\n')}\n`;
}
