import { loadPreset } from '../../presets/load';
import { didYouMean } from '../../util/suggest';
import { errorAt, type SemanticRule } from '../rule';

/**
 * `{id: replicaton-lag, enabled: false}` is meant to switch a preset gate off. With a typo it
 * switches nothing off and the real gate stays on, so an entry that only disables (no `signal`:
 * it is not a complete gate of its own) must name a preset gate of this type and engine.
 */
export const disabledGateExists: SemanticRule = {
  name: 'disabled-gate-exists',
  doc: 'A gate entry with `enabled: false` and no signal of its own names a preset gate of this type and engine, so a typo cannot leave the real gate enabled.',
  check(ctx) {
    const { type, engine } = ctx.model;
    const preset = loadPreset(type).gates;
    const ours = preset.filter((g) => !g.engines || g.engines.includes(engine)).map((g) => g.id);
    const out = [];
    for (const [i, g] of (ctx.def.spec.gates ?? []).entries()) {
      if (g.enabled !== false || g.signal !== undefined || ours.includes(g.id)) continue;
      const other = preset.find((p) => p.id === g.id);
      const what = other?.engines
        ? `is a ${type} preset gate only for engine ${other.engines.join(', ')}, not ${engine}, so \`enabled: false\` disables nothing`
        : `is not a ${type} preset gate, so \`enabled: false\` disables nothing${didYouMean(g.id, ours)}`;
      out.push(errorAt(ctx, this.name, ['spec', 'gates', i, 'id'], `gate \`${g.id}\` ${what}`, `\`migobs presets ${type} --engine ${engine}\` lists the preset gates; remove the entry if nothing needs disabling`));
    }
    return out;
  },
};
