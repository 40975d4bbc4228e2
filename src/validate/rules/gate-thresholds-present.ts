import { loadPreset } from '../../presets/load';
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
        // A preset gate kept for other engines only is "not a preset gate" here: say why.
        const engines = loadPreset(ctx.model.type).gates.find((p) => p.id === g.id)?.engines;
        const what = engines ? `is a ${ctx.model.type} preset gate only for engine ${engines.join(', ')}, not ${ctx.model.engine}` : `is not a ${ctx.model.type} preset gate`;
        out.push(errorAt(ctx, this.name, ['spec', 'gates', i, 'id'], `gate \`${g.id}\` ${what}, so it needs ${missing.map((m) => `\`${m}\``).join(', ')}`, `\`migobs presets ${ctx.model.type}\` lists the preset gates`));
      }
    }
    return out;
  },
};
