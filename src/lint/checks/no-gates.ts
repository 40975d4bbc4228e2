import { findingAt, type LintCheck } from '../types';

/** A migration without a single gate has dashboards but nobody is ever told to pause or roll back. */
export const noGates: LintCheck = {
  name: 'no-gates',
  severity: 'warning',
  doc: 'A migration has at least one enabled gate.',
  check(ctx) {
    if (ctx.model.gates.length > 0) return [];
    const disabled = ctx.model.disabledGates.length;
    return [
      findingAt(
        ctx,
        this,
        ctx.def.spec.gates ? ['spec', 'gates'] : ['spec', 'type'],
        `no gate is enabled${disabled ? ` (${disabled} disabled: ${ctx.model.disabledGates.map((g) => `\`${g}\``).join(', ')})` : ''}: nothing will ever say pause or roll back`,
        'keep at least the preset gate on the signal most likely to hurt production, with thresholds from your baseline',
        { part: ctx.def.spec.gates ? 'key' : 'value' },
      ),
    ];
  },
};
