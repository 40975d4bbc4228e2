/**
 * drift: generate real output into a temp folder, hand-edit one threshold in a committed file,
 * and lint must name the file and both values, at the definition's threshold line.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics';
import { generateAll } from '../../src/generate/index';
import { ALERT, FILES, RECORD } from '../../src/generate/names';
import { stepFor } from '../../src/generate/dashboard/thresholds';
import { gatePanelIds } from '../../src/generate/panel-ids';
import { directionalLiterals, rulesThresholds, runbookSection, runbookThresholds } from '../../src/lint/drift-readers';
import { lintMigrations } from '../../src/lint/index';
import { loadDefinitions, type LoadedMigration } from '../../src/pipeline';
import { writeOutputs } from '../../src/write/plan';

const FIXTURE = join(__dirname, '..', 'fixtures', 'lint', 'drift.yaml');
// Where the definition states each threshold: replication-lag in the definition (lines 13/14),
// disk-free (direction below) only in the preset, so at spec.type (line 8).
const AT = { 'replication-lag': { pause: [13, 14], rollback: [14, 17] }, 'disk-free': { pause: [8, 9], rollback: [8, 9] } } as const;
type GateId = keyof typeof AT;
type Action = 'pause' | 'rollback';

let outDir: string;
let migration: LoadedMigration;

beforeEach(() => {
  const r = loadDefinitions([FIXTURE]);
  expect(r.diagnostics).toEqual([]);
  migration = r.migrations[0]!;
  outDir = mkdtempSync(join(tmpdir(), 'migobs-drift-'));
  writeOutputs(outDir, generateAll([migration.model]));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

/** A committed file of the migration by its short name, at its place in the layout (names.ts FILES). */
const PATH_OF: Record<string, (id: string) => string> = { 'rules.yaml': FILES.rules, 'runbook.md': FILES.runbook, 'dashboard.json': FILES.dashboard };
const rel = (name: string): string => PATH_OF[name]!('lint-drift');
const file = (name: string): string => join(outDir, rel(name));
const edit = (name: string, change: (text: string) => string): void => {
  const before = readFileSync(file(name), 'utf8');
  const after = change(before);
  expect(after, `the edit of ${name} changed nothing`).not.toBe(before);
  writeFileSync(file(name), after);
};
const driftFindings = (): Diagnostic[] => lintMigrations([migration], { outDir }).filter((d) => d.check === 'drift');
const gate = (id: GateId) => migration.model.gates.find((g) => g.id === id)!;

/** The new threshold: further out on the gate's bad side (always a different number). */
const bumped = (id: GateId, action: Action): number => {
  const g = gate(id);
  return g.direction === 'above' ? g[action] * 2 + 1 : g[action] / 2;
};

const CASES: Array<[GateId, Action]> = [
  ['replication-lag', 'pause'],
  ['replication-lag', 'rollback'],
  ['disk-free', 'pause'],
  ['disk-free', 'rollback'],
];

describe('drift', () => {
  it('freshly generated output has no drift, and every reader finds every gate', () => {
    expect(driftFindings()).toEqual([]);
    const rules = readFileSync(file('rules.yaml'), 'utf8');
    const runbook = readFileSync(file('runbook.md'), 'utf8');
    for (const g of migration.model.gates) {
      expect(rulesThresholds(rules, g)?.map((p) => p.values)).toEqual([{ pause: g.pause }, { rollback: g.rollback }, { pause: g.pause, rollback: g.rollback }]);
      expect(runbookThresholds(runbook, g.id)?.map((p) => p.values), `runbook section of ${g.id}`).toEqual([{ pause: g.pause, rollback: g.rollback }]);
    }
  });

  it.each(CASES)('rules.yaml: the %s %s alert edited by hand', (id, action) => {
    const to = bumped(id, action);
    edit('rules.yaml', (text) => {
      const doc = parseDocument(text);
      const alert = doc.toJS().groups.flatMap((g: { rules: unknown[] }) => g.rules).find((r: { alert?: string; labels?: Record<string, string> }) => r.alert === (action === 'pause' ? ALERT.pause : ALERT.rollback) && r.labels?.gate === id);
      const from = gate(id)[action];
      // The threshold comparison `... > 10)`, before the lifecycle guard that ends every alert.
      return text.replace(alert.expr, alert.expr.replace(new RegExp(` ${String(from).replace('.', '\\.')}\\)( and on \\(migration_id\\) migration:lifecycle:active\\{[^}]*\\})$`), ` ${to})$1`));
    });
    const found = driftFindings();
    expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([['error', ...AT[id][action]]]);
    expect(found[0]!.message).toBe(
      `gate \`${id}\`: ${outDir}/${rel('rules.yaml')} (alert ${action === 'pause' ? ALERT.pause : ALERT.rollback}) has ${action} ${to}, the definition has ${gate(id)[action]}${id === 'disk-free' ? " (the backfill preset's value)" : ''}`,
    );
  });

  it('rules.yaml: the gate state recording rule edited by hand', () => {
    edit('rules.yaml', (text) => text.replace(/(record: migration:gate:state[\s\S]*?gate="replication-lag"\} > bool )60\)/, '$1 90)'));
    expect(driftFindings().map((d) => [d.line, d.message])).toEqual([[14, `gate \`replication-lag\`: ${outDir}/${rel('rules.yaml')} (recording rule ${RECORD.gateState}) has rollback 90, the definition has 60`]]);
  });

  it.each(CASES)('dashboard.json: the %s panel %s step edited by hand', (id, action) => {
    const to = bumped(id, action);
    const panelId = gatePanelIds(migration.model).get(id)!;
    edit('dashboard.json', (text) => {
      const doc = JSON.parse(text);
      const find = (ps: Array<{ id: number; panels?: unknown[] }>): { fieldConfig: { defaults: { thresholds: { steps: Array<{ value: number | null }> } } } } | undefined =>
        ps.map((p) => (p.id === panelId ? p : find((p.panels ?? []) as never))).find(Boolean) as never;
      const g = migration.model.gates.find((x) => x.id === id)!;
      const step = find(doc.panels)!.fieldConfig.defaults.thresholds.steps.find((s) => s.value === stepFor(g.direction, gate(id)[action]))!;
      step.value = to;
      return JSON.stringify(doc, null, 2) + '\n';
    });
    const found = driftFindings();
    expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([['error', ...AT[id][action]]]);
    expect(found[0]!.message).toContain(`${rel('dashboard.json')} (gate panel ${panelId}) has ${action} ${to}, the definition has ${gate(id)[action]}`);
  });

  it.each(CASES)('runbook.md: the %s section %s value edited by hand', (id, action) => {
    const from = gate(id)[action];
    const to = bumped(id, action);
    edit('runbook.md', (text) => {
      const section = runbookSection(text, id)!;
      // Change the number on the line(s) that state this action's threshold.
      const word = action === 'pause' ? /\bpause\b/i : /\broll ?back\b/i;
      const number = new RegExp(`(?<![\\d.])${String(from).replace('.', '\\.')}(?![\\d.])`);
      const edited = section
        .split('\n')
        .map((l) => (word.test(l) && number.test(l) ? l.replace(number, String(to)) : l))
        .join('\n');
      return text.replace(section, edited);
    });
    const found = driftFindings();
    expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([['error', ...AT[id][action]]]);
    expect(found[0]!.message).toContain(`${rel('runbook.md')} (section #gate-${id}) has ${action} ${to}, the definition has ${from}`);
  });

  it('missing committed files are reported as info, not as drift', () => {
    unlinkSync(file('runbook.md'));
    const found = driftFindings();
    expect(found.map((d) => [d.severity, d.line])).toEqual([['info', 4]]);
    expect(found[0]!.message).toBe(`${outDir}/${rel('runbook.md')} is not there: no committed runbook to compare thresholds with`);
  });

  it('unreadable rules.yaml is an error', () => {
    writeFileSync(file('rules.yaml'), 'groups: [unclosed\n');
    expect(driftFindings().map((d) => [d.severity, d.message.replace(/\(.*\)/, '(...)')])).toEqual([['error', `${outDir}/${rel('rules.yaml')} is not valid YAML (...): cannot compare thresholds`]]);
  });

  it('without --out-dir there is no drift check', () => {
    edit('rules.yaml', (text) => text.replace(/> 10\)/g, '> 11)'));
    expect(lintMigrations([migration]).filter((d) => d.check === 'drift')).toEqual([]);
  });
});

describe('reading thresholds from PromQL', () => {
  it.each<[string, 'above' | 'below', number[]]>([
    ['x > 10', 'above', [10]],
    ['10 < x', 'above', [10]],
    ['x >= 1e3', 'above', [1000]],
    ['x < -0.5', 'below', [-0.5]],
    ['x < 5', 'above', []],
    ['a * on (m) group_left (gate) (x > 7)', 'above', [7]],
    ['(x > bool 1) + (x > bool 2) or on () vector(3)', 'above', [1, 2]],
    ['x == 1', 'above', []],
    ['x > y', 'above', []],
  ])('%s (%s) -> %j', (expr, direction, numbers) => {
    expect(directionalLiterals(expr, direction)).toEqual(numbers);
  });
});

describe('reading thresholds from a runbook section', () => {
  it.each<[string, string, { pause?: number; rollback?: number }]>([
    ['table rows', '<a id="gate-lag"></a>\n### Gate: lag\n| Pause | `> 10` s for `2m` |\n| Roll back | `> 60` s for `5m` |', { pause: 10, rollback: 60 }],
    ['prose on one line', '<a id="gate-lag"></a>\n### Gate: lag\nPause when lag is above 10 s for 2m; roll back when above 60.', { pause: 10, rollback: 60 }],
    ['table wins over prose', '<a id="gate-lag"></a>\n### Gate: lag\nOn pause: wait until lag is below 1 s.\n| Pause | `> 10` |\n| Roll back | `> 60` |', { pause: 10, rollback: 60 }],
    ['below, decimals', '<a id="gate-lag"></a>\n### Gate: lag\n| Pause | `< 0.15` ratio for `5m` |\n| Roll back | `< 0.05` ratio |', { pause: 0.15, rollback: 0.05 }],
    ['the next gate is not read', '<a id="gate-lag"></a>\n### Gate: lag\n| Pause | `> 10` |\n<a id="gate-other"></a>\n### Gate: other\n| Roll back | `> 99` |', { pause: 10 }],
  ])('%s', (_name, text, values) => {
    expect(runbookThresholds(text, 'lag')).toEqual([{ where: 'section #gate-lag', values }]);
  });

  it('a runbook without the gate section gives undefined', () => {
    expect(runbookThresholds('# Runbook\n', 'lag')).toBeUndefined();
  });
});

describe('each committed file is parsed once per migration', () => {
  // The readers keep the last file's parse: alternating texts and an unreadable file in between
  // must still give each text its own answer (and the unreadable one its error, every time).
  it('alternating files give each its own thresholds, an unreadable file its error each time', () => {
    const rules = (value: number): string => `groups:\n  - name: g\n    rules:\n      - alert: ${ALERT.pause}\n        expr: x > ${value}\n        labels: { gate: lag, action: pause }\n`;
    const gate = { id: 'lag', direction: 'above' as const };
    const a = rules(10);
    const b = rules(20);
    for (let i = 0; i < 2; i++) {
      expect(rulesThresholds(a, gate)).toEqual([{ where: `alert ${ALERT.pause}`, values: { pause: 10 } }]);
      expect(() => rulesThresholds('groups: [', gate)).toThrow(/not valid YAML/);
      expect(() => rulesThresholds('groups: [', gate)).toThrow(/not valid YAML/);
      expect(rulesThresholds(b, gate)).toEqual([{ where: `alert ${ALERT.pause}`, values: { pause: 20 } }]);
      expect(rulesThresholds(b, gate)).toEqual([{ where: `alert ${ALERT.pause}`, values: { pause: 20 } }]);
    }
  });
});
