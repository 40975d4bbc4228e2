import { matcherAccepts, parseSelector, regexProblem } from '../../promql/matchers';
import { errorAt, type SemanticRule } from '../rule';

export const selectorSatisfiable: SemanticRule = {
  name: 'selector-satisfiable',
  doc: 'The selector can match something: an exact `label="v"` matcher must pass every other matcher on the same label.',
  check(ctx) {
    const text = ctx.def.spec.selector;
    if (text === undefined) return [];
    const { matchers, problem } = parseSelector(text);
    if (problem || matchers.some((m) => m.op.includes('~') && regexProblem(m.value))) return []; // other rules report these
    for (const exact of matchers.filter((m) => m.op === '=')) {
      const conflict = matchers.find((m) => m !== exact && m.name === exact.name && !matcherAccepts(m, exact.value));
      if (conflict) {
        return [
          errorAt(ctx, this.name, ['spec', 'selector'], `spec.selector can never match: ${exact.name}=${JSON.stringify(exact.value)} contradicts ${conflict.name}${conflict.op}${JSON.stringify(conflict.value)}`, 'keep one matcher per label, or make them agree'),
        ];
      }
    }
    return [];
  },
};
