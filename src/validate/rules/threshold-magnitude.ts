import { errorAt, gateFieldPath, type SemanticRule } from '../rule';

/** Smallest and largest non-zero threshold magnitudes migobs can test and print exactly. */
export const MIN_THRESHOLD = 1e-9;
export const MAX_THRESHOLD = 1e15;

export const thresholdMagnitude: SemanticRule = {
  name: 'threshold-magnitude',
  doc: 'A threshold is 0 or has a magnitude between 1e-9 and 1e15, so "just past it" is a distinct number in Prometheus and in the generated rule tests.',
  check(ctx) {
    const out = [];
    for (const g of ctx.model.gates) {
      for (const field of ['pause', 'rollback'] as const) {
        const v = g[field];
        if (Number.isNaN(v) || v === 0) continue;
        const m = Math.abs(v);
        if (m >= MIN_THRESHOLD && m <= MAX_THRESHOLD) continue;
        out.push(
          errorAt(ctx, this.name, gateFieldPath(ctx.def, g.id, field), `gate \`${g.id}\`: ${field} ${v} is out of range (0, or a magnitude between 1e-9 and 1e15)`, 'express the signal in a unit where the threshold is an ordinary number (e.g. ms instead of s, MB instead of bytes)'),
        );
      }
    }
    return out;
  },
};
