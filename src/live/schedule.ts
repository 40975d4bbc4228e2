/**
 * `migobs gate` and spec.schedule: outside [notBefore, notAfter) no migobs alert watches the
 * migration, so the answer is never "proceed". It is unknown (exit 4: hold) with the reason
 * "outside the schedule", or rollback (exit 3) when a gate is past its rollback threshold: evidence
 * of danger is never hidden. The gates are still evaluated and shown. The clock is the local one
 * of the machine asking (the rules use Prometheus' clock; keep both on NTP).
 */
import type { ResolvedMigration } from '../model/types';
import { formatUtc } from '../util/timestamp';
import { exitCodeFor, type GateReport } from './gate';

/** Why `nowMs` is outside the migration's schedule, or undefined when it is inside (or there is none). */
export function outsideSchedule(model: ResolvedMigration, nowMs: number): string | undefined {
  const s = model.schedule;
  const now = nowMs / 1000;
  if (s?.notBefore && now < s.notBefore.seconds) {
    return `outside the schedule: ${model.id} may start at ${s.notBefore.text} (${formatUtc(s.notBefore.seconds)}); no alert watches it before then`;
  }
  if (s?.notAfter && now >= s.notAfter.seconds) {
    return `outside the schedule: the window of ${model.id} ended at ${s.notAfter.text} (${formatUtc(s.notAfter.seconds)}); no alert watches it any more`;
  }
  return undefined;
}

/** The gate answer with the schedule applied (unchanged inside the schedule). */
export function scheduleAnswer(model: ResolvedMigration, report: GateReport, nowMs: number): GateReport {
  const outside = outsideSchedule(model, nowMs);
  if (!outside) return report;
  const state = report.gates.some((g) => g.state === 'rollback') ? 'rollback' : 'unknown';
  return { ...report, state, exitCode: exitCodeFor(state), reason: report.reason ? `${outside}; ${report.reason}` : outside };
}
