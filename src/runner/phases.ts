/** Which phase of the definition each stage of the tool starts (`--phase-map STAGE=PHASE`). */
import type { ResolvedMigration } from '../model/types';
import { STAGES, type Stage } from './types';

/**
 * The online-rewrite preset's phases. A tool cannot tell canary from ramp (that is the operator's
 * chunk-size choice), so the copy is `full` unless mapped otherwise (`--phase-map copy=canary`),
 * as for `migobs hook gh-ost`.
 */
export const DEFAULT_STAGE_PHASES: Record<Stage, string> = { start: 'preflight', copy: 'full', postponed: 'verify', 'cut-over': 'cut-over', done: 'closeout' };

/** The map in force: defaults whose phase the definition has, then the overrides; or a usage error. */
export function stagePhases(model: ResolvedMigration, overrides: string[] = []): Partial<Record<Stage, string>> | string {
  const phases = model.phases.map((p) => p.id);
  const map: Partial<Record<Stage, string>> = {};
  for (const s of STAGES) if (phases.includes(DEFAULT_STAGE_PHASES[s])) map[s] = DEFAULT_STAGE_PHASES[s];
  for (const o of overrides) {
    const m = /^([a-z-]+)=(.+)$/.exec(o);
    if (!m) return `--phase-map ${JSON.stringify(o)}: give STAGE=PHASE, e.g. copy=canary`;
    const [, stage, phase] = m as unknown as [string, string, string];
    if (!(STAGES as readonly string[]).includes(stage)) return `--phase-map ${o}: ${stage} is not a stage; stages: ${STAGES.join(', ')}`;
    if (!phases.includes(phase)) return `--phase-map ${o}: ${phase} is not a phase of ${model.id}; phases: ${phases.join(', ')}`;
    map[stage as Stage] = phase;
  }
  return map;
}
