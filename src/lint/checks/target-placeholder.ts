import type { Diagnostic } from '../../diagnostics';
import { TARGET_NAMES } from '../../definition/types';
import { TARGET_PLACEHOLDER, targetExample, targetParts } from '../../resolve/targets';
import { findingAt, type LintCheck } from '../types';

/** `migobs init` writes CHANGE-ME selectors that validate but match nothing: every gate on them stays unknown. */
export const targetPlaceholder: LintCheck = {
  name: 'target-placeholder',
  severity: 'warning',
  doc: `No spec.targets entry still holds the \`${TARGET_PLACEHOLDER}\` placeholder that \`migobs init\` writes.`,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const name of TARGET_NAMES) {
      const t = ctx.def.spec.targets?.[name];
      if (t === undefined || t === null) continue;
      const { selector } = targetParts(t);
      if (typeof selector !== 'string' || !selector.includes(TARGET_PLACEHOLDER)) continue;
      const gates = ctx.model.gates.filter((g) => ctx.model.signals[g.signal]?.target === name).map((g) => `\`${g.id}\``);
      out.push(
        findingAt(
          ctx,
          this,
          typeof t === 'string' ? ['spec', 'targets', name] : ['spec', 'targets', name, 'selector'],
          `spec.targets.${name} is still the \`${TARGET_PLACEHOLDER}\` placeholder: it matches nothing, so ${gates.length ? `gates ${gates.join(', ')} stay` : 'every gate reading it stays'} unknown (pause)`,
          `replace it with your own matchers, e.g. ${targetExample(name, ctx.model.engine)}`,
        ),
      );
    }
    return out;
  },
};
