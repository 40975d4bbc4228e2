import { didYouMean } from '../../util/suggest';
import { definitionGateIndex, errorAt, type SemanticRule } from '../rule';

export const gatePhasesExist: SemanticRule = {
  name: 'gate-phases-exist',
  doc: "Every phase a gate names exists among the resolved phases, and every gate applies in at least one phase.",
  check(ctx) {
    const out = [];
    const ids = ctx.model.phases.map((p) => p.id);
    for (const g of ctx.model.gates) {
      const i = definitionGateIndex(ctx.def, g.id);
      const own = i >= 0 ? ctx.def.spec.gates![i]!.phases : undefined;
      if (own && own.length === 0) {
        out.push(errorAt(ctx, this.name, ['spec', 'gates', i, 'phases'], `gate \`${g.id}\` has an empty \`phases\` list, so it would never fire`, 'remove `phases` to apply the gate in every phase, or disable it with `enabled: false`'));
      } else if (own) {
        own.forEach((p, k) => {
          if (!ids.includes(p)) {
            out.push(errorAt(ctx, this.name, ['spec', 'gates', i, 'phases', k], `gate \`${g.id}\` names unknown phase \`${p}\`${didYouMean(p, ids)}`, `phases of this migration: ${ids.join(', ')}`));
          }
        });
      } else if (g.phases.length === 0) {
        out.push(errorAt(ctx, this.name, i >= 0 ? ['spec', 'gates', i, 'id'] : ['spec', 'phases'], `gate \`${g.id}\` applies in no phase: every phase it had was removed`, 'set the gate `phases`, or disable it with `enabled: false`'));
      }
    }
    return out;
  },
};
