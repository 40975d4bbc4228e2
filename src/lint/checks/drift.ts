import type { Diagnostic } from '../../diagnostics';
import { gatePanelIds } from '../../generate/panel-ids';
import type { ResolvedGate } from '../../model/types';
import { dashboardThresholds, rulesThresholds, runbookThresholds, UnreadableOutput, type ThresholdPlace } from '../drift-readers';
import { thresholdSource } from '../locate';
import { findingAt, type DriftFile, type LintCheck, type LintContext } from '../types';

/** Committed files drift compares, and how to read a gate's thresholds from each. */
const READERS: Array<{ file: DriftFile; what: string; read: (text: string, gate: ResolvedGate, ctx: LintContext) => ThresholdPlace[] | undefined; where: string }> = [
  { file: 'rules', what: 'rules', read: (t, g) => rulesThresholds(t, g), where: 'alert rules' },
  { file: 'dashboard', what: 'dashboard', read: (t, g, ctx) => dashboardThresholds(t, g, gatePanelIds(ctx.model).get(g.id) ?? -1), where: 'gate panel thresholds' },
  { file: 'runbook', what: 'runbook', read: (t, g) => runbookThresholds(t, g.id), where: 'runbook section' },
];

/**
 * Committed output is what Prometheus and Grafana load. A hand edit there ("just bump the lag
 * threshold to 30") silently overrides the reviewed definition and is lost on the next generate.
 */
export const drift: LintCheck = {
  name: 'drift',
  severity: 'error',
  doc: 'With --out-dir: every gate threshold in the committed rules, dashboard and runbook (prometheus/rules/<id>.yaml, grafana/dashboards/<id>.json, docs/<id>/runbook.md) equals the definition.',
  check(ctx) {
    const committed = ctx.committed;
    if (!committed) return [];
    const out: Diagnostic[] = [];
    for (const { file, what, read, where } of READERS) {
      const path = committed.paths[file];
      const text = committed.files[file];
      if (text === undefined) {
        out.push(findingAt(ctx, this, ['metadata', 'id'], `${path} is not there: no committed ${what} to compare thresholds with`, '`migobs generate --check` reports missing and stale output', { severity: 'info' }));
        continue;
      }
      // Proven by the manifest to be generate's own bytes for this definition: nothing to read back.
      if (committed.current?.[file]) continue;
      for (const gate of ctx.model.gates) {
        let found: ThresholdPlace[] | undefined;
        try {
          found = read(text, gate, ctx);
        } catch (e) {
          if (!(e instanceof UnreadableOutput)) throw e;
          out.push(findingAt(ctx, this, ['metadata', 'id'], `${path} ${e.message}: cannot compare thresholds`, 'regenerate it with `migobs generate`'));
          break;
        }
        if (found === undefined) {
          out.push(findingAt(ctx, this, ['metadata', 'id'], `${path} has no ${where} for gate \`${gate.id}\``, 'regenerate with `migobs generate` and commit the result', { severity: 'warning' }));
          continue;
        }
        for (const place of found) {
          for (const action of ['pause', 'rollback'] as const) {
            const committedValue = place.values[action];
            if (committedValue === undefined || committedValue === gate[action]) continue;
            const src = thresholdSource(ctx, gate.id, action);
            out.push(
              findingAt(
                ctx,
                this,
                src.path,
                `gate \`${gate.id}\`: ${path} (${place.where}) has ${action} ${committedValue}, the definition has ${gate[action]}${src.note}`,
                'the committed file was edited or is stale: change the threshold in the definition, run `migobs generate` and commit the output',
              ),
            );
          }
        }
      }
    }
    return out;
  },
};
