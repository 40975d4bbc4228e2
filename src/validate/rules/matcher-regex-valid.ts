import { parseSelector, regexProblem } from '../../promql/matchers';
import { parsePromql, selectors, syntaxProblems } from '../../promql/parse';
import { errorAt, type SemanticRule } from '../rule';

export const matcherRegexValid: SemanticRule = {
  name: 'matcher-regex-valid',
  doc: 'Every =~ and !~ matcher (in the selector and in signal expressions) is a regular expression Prometheus accepts.',
  check(ctx) {
    const out = [];
    const sel = ctx.def.spec.selector;
    if (sel !== undefined) {
      for (const m of parseSelector(sel).matchers) {
        const p = m.op.includes('~') ? regexProblem(m.value) : undefined;
        if (p) out.push(errorAt(ctx, this.name, ['spec', 'selector'], `spec.selector: matcher ${m.name}${m.op}: ${p}`));
      }
    }
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const parsed = parsePromql(sig.expr);
      if (syntaxProblems(parsed).length) continue;
      for (const s of selectors(parsed)) {
        for (const l of s.labels) {
          const p = l.op.includes('~') ? regexProblem(l.value) : undefined;
          if (p) out.push(errorAt(ctx, this.name, ['spec', 'signals', name, 'expr'], `signal \`${name}\`: matcher ${l.name}${l.op}: ${p}`));
        }
      }
    }
    return out;
  },
};
