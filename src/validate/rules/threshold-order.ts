import { errorAt, gateFieldPath, type SemanticRule } from '../rule';

export const thresholdOrder: SemanticRule = {
  name: 'threshold-order',
  doc: 'For direction above the rollback threshold is greater than pause; for below it is smaller.',
  check(ctx) {
    const out = [];
    for (const g of ctx.model.gates) {
      if (Number.isNaN(g.pause) || Number.isNaN(g.rollback)) continue;
      const ok = g.direction === 'above' ? g.rollback > g.pause : g.rollback < g.pause;
      if (ok) continue;
      const path = gateFieldPath(ctx.def, g.id, 'rollback');
      const want = g.direction === 'above' ? 'greater than' : 'less than';
      out.push(
        errorAt(ctx, this.name, path, `gate \`${g.id}\`: rollback (${g.rollback}) must be ${want} pause (${g.pause}) for direction ${g.direction}`, g.direction === 'above' ? 'swap the values, or set `direction: below` if lower is worse' : 'swap the values, or set `direction: above` if higher is worse'),
      );
    }
    return out;
  },
};
