import { didYouMean } from '../../util/suggest';
import { errorAt, type SemanticRule } from '../rule';

export const runnerValid: SemanticRule = {
  name: 'runner-valid',
  doc: 'A gitlab-bbm runner names its migration_identifier, phases of this migration, and a selector of equality matchers only (its labels are put on the series it records).',
  check(ctx) {
    const runner = ctx.def.spec.runner;
    if (!runner || runner.kind !== 'gitlab-bbm') return [];
    const out = [];
    const ids = ctx.model.phases.map((p) => p.id);
    if (!runner.migrationIdentifier) {
      out.push(errorAt(ctx, this.name, ['spec', 'runner', 'kind'], 'runner `gitlab-bbm` needs `migrationIdentifier`', 'the migration_identifier label of GitLab\'s batched_migration_* metrics, "JobClassName/table.column"'));
    }
    const phase = ctx.model.runner?.phase;
    if (phase !== undefined && !ids.includes(phase)) {
      out.push(errorAt(ctx, this.name, runner.phase !== undefined ? ['spec', 'runner', 'phase'] : ['spec', 'runner', 'kind'], `runner phase \`${phase}\` is not a phase of this migration${didYouMean(phase, ids)}`, `set runner.phase to one of: ${ids.join(', ')}`));
    }
    if (runner.donePhase !== undefined && !ids.includes(runner.donePhase)) {
      out.push(errorAt(ctx, this.name, ['spec', 'runner', 'donePhase'], `runner donePhase \`${runner.donePhase}\` is not a phase of this migration${didYouMean(runner.donePhase, ids)}`, `phases: ${ids.join(', ')}`));
    }
    const loose = ctx.model.migrationMatchers.filter((m) => m.op !== '=');
    if (loose.length) {
      out.push(errorAt(ctx, this.name, ['spec', 'selector'], `runner \`gitlab-bbm\` records contract series labelled with the selector's labels, so the selector can only use = matchers (found ${loose.map((m) => `${m.name}${m.op}`).join(', ')})`, 'write the selector as label="value" pairs, e.g. job="gitlab-sidekiq"'));
    }
    return out;
  },
};
