import { exprType, parsePromql, syntaxProblems } from '../../promql/parse';
import { errorAt, type SemanticRule } from '../rule';

const TYPE_HINT: Record<string, string> = {
  matrix: 'it returns a range vector; wrap it in a function such as rate(...[5m]) or max_over_time(...[5m])',
  scalar: 'it returns a scalar; a gate needs series, e.g. vector(...) or a selector',
  string: 'it returns a string; a gate needs a numeric instant vector',
};

export const signalExprValid: SemanticRule = {
  name: 'signal-expr-valid',
  doc: 'A signal expression is valid PromQL that returns an instant vector.',
  check(ctx) {
    const out = [];
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const path = ['spec', 'signals', name, 'expr'];
      const parsed = parsePromql(sig.expr);
      const problems = syntaxProblems(parsed);
      if (problems.length) {
        const p = problems[0]!;
        out.push(errorAt(ctx, this.name, path, `signal \`${name}\`: ${p.message} (at character ${p.offset + 1})`, 'check the expression with promtool or the Prometheus query page'));
        continue;
      }
      const type = exprType(parsed);
      if (type !== 'vector') out.push(errorAt(ctx, this.name, path, `signal \`${name}\` must return an instant vector, but ${TYPE_HINT[type]}`));
    }
    return out;
  },
};
