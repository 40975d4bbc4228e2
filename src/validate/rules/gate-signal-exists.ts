import { engineSignals } from '../../presets/load';
import { didYouMean } from '../../util/suggest';
import { errorAt, gateFieldPath, type SemanticRule } from '../rule';

export const gateSignalExists: SemanticRule = {
  name: 'gate-signal-exists',
  doc: "A gate's signal is defined in spec.signals, the preset or the engine signal library.",
  check(ctx) {
    const out = [];
    for (const g of ctx.model.gates) {
      if (g.signal === '' || ctx.model.signals[g.signal]) continue;
      const known = [...new Set([...Object.keys(ctx.def.spec.signals ?? {}), ...Object.keys(engineSignals(ctx.model.engine))])].sort();
      out.push(
        errorAt(ctx, this.name, gateFieldPath(ctx.def, g.id, 'signal'), `gate \`${g.id}\` uses unknown signal \`${g.signal}\`${didYouMean(g.signal, known)}`, `define it under spec.signals, or use one of the ${ctx.model.engine} signals: ${known.join(', ')}`),
      );
    }
    return out;
  },
};
