import { checkPromql } from '../../promql/check';
import { parseSelector, quotePromqlString, regexProblem } from '../../promql/matchers';
import { parsePromql } from '../../promql/parse';
import { errorAt, errorIn, type SemanticRule } from '../rule';

const HINT = "Prometheus regexes are RE2 in Go's syntax, matched against the whole value: no lookarounds, backreferences or \\Z, \\e, \\C; repeat counts up to 1000";

export const matcherRegexValid: SemanticRule = {
  name: 'matcher-regex-valid',
  doc: 'Every =~ and !~ matcher (in the selector and in signal expressions) is a regular expression Prometheus accepts: RE2 syntax as Go parses it, not JavaScript\'s.',
  check(ctx) {
    const out = [];
    const sel = ctx.def.spec.selector;
    if (sel !== undefined) {
      for (const m of parseSelector(sel).matchers) {
        const p = m.op.includes('~') ? regexProblem(m.value) : undefined;
        if (p) out.push(errorAt(ctx, this.name, ['spec', 'selector'], `spec.selector: matcher ${m.name}${m.op}${quotePromqlString(m.value)}: ${p}`, HINT));
      }
    }
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const issue = checkPromql(parsePromql(sig.expr)).find((i) => i.kind === 'regex');
      if (issue) out.push(errorIn(ctx, this.name, ['spec', 'signals', name, 'expr'], issue.from, `signal \`${name}\`: ${issue.message}`, HINT));
    }
    return out;
  },
};
