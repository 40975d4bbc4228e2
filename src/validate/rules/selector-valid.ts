import { parseSelector } from '../../promql/matchers';
import { errorAt, type SemanticRule } from '../rule';

export const selectorValid: SemanticRule = {
  name: 'selector-valid',
  doc: 'spec.selector is only label matchers (a="b", c=~"d") and cannot leave its braces.',
  check(ctx) {
    const text = ctx.def.spec.selector;
    if (text === undefined) return [];
    const { problem } = parseSelector(text);
    if (!problem) return [];
    return [errorAt(ctx, this.name, ['spec', 'selector'], `spec.selector: ${problem.message} (at character ${problem.offset + 1})`, 'write matchers like job="orders-backfill", env=~"prod|staging"')];
  },
};
