/**
 * One wording of the lifecycle (docs/definition.md "Lifecycle") for every generated document, so
 * alerts.md and the runbook say the same thing. Markdown; timestamps appear as code.
 */
import type { ResolvedMigration } from '../model/types';
import { mdCode } from '../render/markdown';
import { formatUtc } from '../util/timestamp';
import { ALERT, LIFECYCLE_LOOKBACK, RECORD } from './names';
import { META } from './rules/rules';

/** The schedule as text (`from X (UTC) until Y (UTC)`), or undefined without one. */
export function scheduleText(m: ResolvedMigration): string | undefined {
  const s = m.schedule;
  if (!s || (!s.notBefore && !s.notAfter)) return undefined;
  const at = (t: { text: string; seconds: number }): string => `${mdCode(t.text)} (${mdCode(formatUtc(t.seconds))})`;
  return [s.notBefore ? `from ${at(s.notBefore)}` : '', s.notAfter ? `until ${at(s.notAfter)}` : ''].filter(Boolean).join(' ');
}

/** When the migration's alerts can fire, in one paragraph. */
export function lifecycleText(m: ResolvedMigration): string {
  const schedule = scheduleText(m);
  return (
    `Alerts fire only while the migration is active (${mdCode(RECORD.lifecycleActive)}): from the first ${mdCode('migration_phase')} sample of its runner, ` +
    `until the runner reports ${mdCode('migration_finished 1')} (the emitter's ${mdCode('finish()')})` +
    (schedule ? `, and only ${schedule} (${mdCode('spec.schedule')})` : '') +
    `. Rules loaded before the start stay silent. A runner that vanishes without finishing fires ${mdCode(ALERT.metricsAbsent)} after ${mdCode(META.metricsAbsentFor)}, ` +
    `and the gates keep its last phase: they go on alerting for up to ${mdCode(LIFECYCLE_LOOKBACK)} after its last sample.`
  );
}
