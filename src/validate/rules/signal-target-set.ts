import type { Diagnostic } from '../../diagnostics';
import type { Engine, TargetName } from '../../definition/types';
import type { JsonPath } from '../../load/source';
import { targetExample, TARGET_MEANING } from '../../resolve/targets';
import { definitionGateIndex, errorAt, gateFieldPath, type RuleContext, type SemanticRule } from '../rule';

/**
 * Library signals read the exporters of a spec.targets entry; unscoped, they read every exporter
 * a shared Prometheus scrapes, and an unrelated host pauses or rolls back the migration. So a
 * gate that is enabled must have its signal's target set: to a selector, or to `fleet` on purpose.
 */
export const signalTargetSet: SemanticRule = {
  name: 'signal-target-set',
  doc: 'Every spec.targets entry a signal reads is set: library signals of enabled gates always read one; your own signals only with `target:` or `seriesPer:`.',
  check(ctx) {
    const out: Diagnostic[] = [];
    const { model, def } = ctx;
    // Library signals, per enabled gate; preset gates not listed in the definition all point at
    // spec.type, so they are reported once per target there.
    const presetOnly = new Map<TargetName, string[]>();
    for (const g of model.gates) {
      const signal = model.signals[g.signal];
      if (!signal || signal.origin === 'definition' || !signal.target || signal.target === 'migration') continue;
      if (model.targets[signal.target]) continue;
      if (definitionGateIndex(def, g.id) < 0) {
        presetOnly.set(signal.target, [...(presetOnly.get(signal.target) ?? []), g.id]);
        continue;
      }
      out.push(unset(ctx, this.name, gateFieldPath(def, g.id, 'signal'), `gate \`${g.id}\` (library signal \`${signal.name}\`) reads`, signal.target, [g.id]));
    }
    for (const [target, ids] of presetOnly) {
      const which = ids.length === 1 ? `the ${def.spec.type} preset's gate \`${ids[0]}\` reads` : `the ${def.spec.type} preset's gates ${ids.map((id) => `\`${id}\``).join(', ')} read`;
      out.push(unset(ctx, this.name, ['spec', 'type'], which, target, ids));
    }
    // The definition's own signals: scoped only when they ask.
    for (const [name, sig] of Object.entries(def.spec.signals ?? {})) {
      if (sig.target && !model.targets[sig.target]) out.push(unset(ctx, this.name, ['spec', 'signals', name, 'target'], `signal \`${name}\` reads`, sig.target));
      if (sig.seriesPer && model.targets[sig.seriesPer]?.count === undefined) {
        out.push(
          errorAt(
            ctx,
            this.name,
            ['spec', 'signals', name, 'seriesPer'],
            `signal \`${name}\` says \`seriesPer: ${sig.seriesPer}\`, but spec.targets.${sig.seriesPer} has no \`count\`: migobs cannot know how many series to expect`,
            `set spec.targets.${sig.seriesPer} to {selector: '${targetExample(sig.seriesPer, model.engine)}', count: <how many>}, or drop seriesPer`,
          ),
        );
      }
    }
    return out;
  },
};

function unset(ctx: RuleContext, rule: string, path: JsonPath, who: string, target: TargetName, gates?: string[]): Diagnostic {
  const example = targetExample(target, ctx.model.engine as Engine);
  const disable = gates ? `; or disable ${gates.length === 1 ? 'the gate' : 'those gates'} with \`enabled: false\`` : '';
  return errorAt(
    ctx,
    rule,
    path,
    `${who} spec.targets.${target} (${TARGET_MEANING[target].what}), which is not set: unscoped, it reads every system Prometheus scrapes, so another system could pause or roll back this migration`,
    `add \`targets: {${target}: '${example}'}\` to spec with your own matchers, or \`${target}: fleet\` to read every system on purpose${disable}`,
  );
}
