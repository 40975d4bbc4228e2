import { definitionGateIndex, errorAt, type SemanticRule } from '../rule';

export const gateThresholdsPresent: SemanticRule = {
  name: 'gate-thresholds-present',
  doc: 'A gate that is not in the preset must name its signal and give both pause and rollback thresholds.',
  check(ctx) {
    const out = [];
    for (const g of ctx.model.gates) {
      const i = definitionGateIndex(ctx.def, g.id);
      if (i < 0) continue;
      const missing = [g.signal === '' ? 'signal' : '', Number.isNaN(g.pause) ? 'pause' : '', Number.isNaN(g.rollback) ? 'rollback' : ''].filter(Boolean);
      if (missing.length) {
        out.push(
          errorAt(ctx, this.name, ['spec', 'gates', i, 'id'], `gate \`${g.id}\` is not a ${ctx.model.type} preset gate, so it needs ${missing.map((m) => `\`${m}\``).join(', ')}`, `\`migobs presets ${ctx.model.type}\` lists the preset gates`),
        );
      }
    }
    return out;
  },
};
