import { findingAt, type LintCheck } from '../types';

/**
 * Every gate has a rollback threshold that pages someone to roll back. If the migration cannot be
 * rolled back, that page must come with the plan that replaces the rollback.
 */
export const irreversibleWithoutForwardFix: LintCheck = {
  name: 'irreversible-without-forward-fix',
  severity: 'warning',
  doc: 'With `blastRadius.rollback: irreversible`, rollback gates need `blastRadius.forwardFix` (what to do instead).',
  check(ctx) {
    const br = ctx.model.blastRadius;
    if (br.rollback !== 'irreversible' || (br.forwardFix && br.forwardFix.trim() !== '') || ctx.model.gates.length === 0) return [];
    const ids = ctx.model.gates.map((g) => `\`${g.id}\``).join(', ');
    return [
      findingAt(
        ctx,
        this,
        ['spec', 'blastRadius', 'rollback'],
        `blastRadius.rollback is irreversible, yet ${ctx.model.gates.length} gate(s) (${ids}) can fire a rollback alert and there is no forwardFix: the on-call would be paged to do something that cannot be done`,
        'add `blastRadius.forwardFix` describing how to fix forward (it goes into the runbook next to every rollback alert)',
      ),
    ];
  },
};
