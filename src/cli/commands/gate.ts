import { ACTION, INSECURE_WARNING, gateReportJson, gateTable, paintState, reasonLines, safeJson } from '../../live/format';
import { runGates, type GateReport } from '../../live/gate';
import { scheduleAnswer } from '../../live/schedule';
import { checkSelection, loadModel, makeClient, type LiveOptions } from '../../live/setup';
import { paint } from '../output';

export interface GateCommandOptions extends LiveOptions {
  phase?: string;
  gate?: string[];
  json?: boolean;
}

/**
 * `migobs gate <file> --prometheus-url U [--phase P] [--gate ID]... [--timeout 10s] [--json]`.
 * Exit 0 proceed, 2 pause, 3 rollback, 4 unknown (fail-closed), 1 usage or definition error;
 * rollback outranks unknown.
 */
export async function gateCommand(file: string, opts: GateCommandOptions): Promise<number> {
  const model = loadModel(file, opts.config);
  checkSelection(model, opts);
  const client = makeClient(opts);
  // One instant for the queries and the schedule.
  const timeMs = Date.now();
  const answer = await runGates(client, model, { ...(opts.phase ? { phase: opts.phase } : {}), ...(opts.gate?.length ? { gateIds: opts.gate } : {}), timeMs });
  const report = scheduleAnswer(model, answer, timeMs);

  // Reasons always go to stderr, so a runner logging stderr sees why it was told to stop. Text from
  // Prometheus is escaped: it cannot move the cursor or print a line of its own.
  if (report.tlsUnverified) process.stderr.write(`migobs: ${INSECURE_WARNING}\n`);
  for (const line of reasonLines(report)) process.stderr.write(`migobs: ${line}\n`);

  if (opts.json) process.stdout.write(safeJson(gateReportJson(report)) + '\n');
  else process.stdout.write(textReport(report));
  return report.exitCode;
}

function textReport(r: GateReport): string {
  const warning = r.tlsUnverified ? [paint(INSECURE_WARNING, 'red')] : [];
  const allPhases = r.evaluated === 'all-phases';
  const phase = r.phase ? `phase ${r.phase}${r.phaseSource === 'flag' ? ' (--phase)' : ''}` : allPhases ? 'phase unknown, every gate of every phase' : 'phase unknown';
  const lines = [...warning, `${r.migrationId}: ${phase}`];
  if (r.gates.length) lines.push(gateTable(r.gates, undefined, { phases: allPhases }));
  else if (!r.reason) lines.push(`no gate applies to phase ${r.phase}`);
  lines.push(`${paintState(r.state)}: ${ACTION[r.state]} (exit ${r.exitCode})`, ...warning);
  return lines.join('\n') + '\n';
}
