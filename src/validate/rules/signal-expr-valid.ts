import { analyzePromql } from '../../promql/check';
import { TARGET_PROMETHEUS } from '../../promql/functions';
import { parsePromql } from '../../promql/parse';
import { errorAt, errorIn, type SemanticRule } from '../rule';

const TYPE_HINT: Record<string, string> = {
  matrix: 'it returns a range vector; wrap it in a function such as rate(...[5m]) or max_over_time(...[5m])',
  scalar: 'it returns a scalar; a gate needs series, e.g. vector(...) or a selector',
  string: 'it returns a string; a gate needs a numeric instant vector',
};

/**
 * Every definition signal becomes part of rules.yaml, and one expression Prometheus refuses stops
 * it from loading the whole rule file (on a shared Prometheus: every team's rules stop reloading).
 * So a signal must pass every check Prometheus makes (src/promql/check.ts), reported at the
 * character Prometheus would point at, in its words. Regex problems are matcher-regex-valid's.
 */
export const signalExprValid: SemanticRule = {
  name: 'signal-expr-valid',
  doc: `A signal expression is PromQL that Prometheus ${TARGET_PROMETHEUS} accepts (syntax, types, function names and arities, numbers, durations, selectors, @ and offset) and returns an instant vector.`,
  check(ctx) {
    const out = [];
    for (const [name, sig] of Object.entries(ctx.def.spec.signals ?? {})) {
      const path = ['spec', 'signals', name, 'expr'];
      const { issues, type } = analyzePromql(parsePromql(sig.expr));
      const first = issues.find((i) => i.kind !== 'regex');
      if (first) {
        out.push(errorIn(ctx, this.name, path, first.from, `signal \`${name}\`: ${first.message}`, first.hint ?? `Prometheus ${TARGET_PROMETHEUS} refuses this expression (check it with promtool or the Prometheus query page)`));
        continue;
      }
      if (issues.length) continue; // a bad regex: reported by matcher-regex-valid
      if (type !== 'vector') out.push(errorAt(ctx, this.name, path, `signal \`${name}\` must return an instant vector, but ${TYPE_HINT[type]}`));
    }
    return out;
  },
};
