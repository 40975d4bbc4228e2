import type { Diagnostic } from '../../diagnostics';
import { TARGET_NAMES } from '../../definition/types';
import type { JsonPath } from '../../load/source';
import { matcherAccepts, parseSelector, regexProblem } from '../../promql/matchers';
import { isFleet, targetExample, targetParts } from '../../resolve/targets';
import { errorAt, type SemanticRule } from '../rule';

export const targetSelectorValid: SemanticRule = {
  name: 'target-selector-valid',
  doc: 'Each spec.targets entry is `fleet` or label matchers (like spec.selector) that can match something, with regexes Prometheus accepts.',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const name of TARGET_NAMES) {
      const t = ctx.def.spec.targets?.[name];
      if (t === undefined || t === null) continue;
      const { selector } = targetParts(t);
      if (typeof selector !== 'string' || isFleet(selector)) continue;
      const path: JsonPath = typeof t === 'string' ? ['spec', 'targets', name] : ['spec', 'targets', name, 'selector'];
      const hint = `write matchers like ${targetExample(name, ctx.model.engine)}, or \`fleet\` for every series`;
      const at = (message: string): Diagnostic => errorAt(ctx, this.name, path, `spec.targets.${name}: ${message}`, hint);
      const { matchers, problem } = parseSelector(selector);
      if (problem) {
        out.push(at(`${problem.message} (at character ${problem.offset + 1})`));
        continue;
      }
      if (matchers.length === 0) {
        out.push(at('the selector is empty, which would read every series: say `fleet` if that is what you mean'));
        continue;
      }
      const bad = matchers.map((m) => (m.op.includes('~') ? [m, regexProblem(m.value)] as const : undefined)).find((x) => x?.[1]);
      if (bad) {
        out.push(at(`matcher ${bad[0].name}${bad[0].op}: ${bad[1]}`));
        continue;
      }
      for (const exact of matchers.filter((m) => m.op === '=')) {
        const conflict = matchers.find((m) => m !== exact && m.name === exact.name && !matcherAccepts(m, exact.value));
        if (conflict) {
          out.push(at(`can never match: ${exact.name}=${JSON.stringify(exact.value)} contradicts ${conflict.name}${conflict.op}${JSON.stringify(conflict.value)}`));
          break;
        }
      }
    }
    return out;
  },
};
