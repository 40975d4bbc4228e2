/**
 * Many values in one instant query: each expression is tagged with a label by `label_replace` and the
 * tagged vectors are joined with `or`. One HTTP round trip answers every gate, and the answer is
 * consistent (all values are evaluated at the same instant).
 *
 * Each expression must return labels that differ from every other tagged expression only in the tag;
 * wrapping it in an aggregation (`max(...)`, `sum(...)`) guarantees that, because the result then has
 * no labels but the tag.
 */
import { quotePromqlString } from '../promql/matchers';
import type { Sample } from './prometheus';

/** Label that names which tagged expression a series came from. */
export const TAG_LABEL = 'migobs_query';

/** `label_replace(<expr>, "<label>", "<name>", "", "")`, joined with `or`. */
export function taggedQuery(entries: ReadonlyArray<readonly [name: string, expr: string]>, label: string = TAG_LABEL): string {
  if (entries.length === 0) throw new Error('taggedQuery: nothing to query');
  return entries
    .map(([name, expr]) => `label_replace(${expr}, ${quotePromqlString(label)}, ${quotePromqlString(replacementLiteral(name))}, "", "")`)
    .join(' or ');
}

/** Samples of a tagged query, by tag value. Series without the tag (not possible from taggedQuery) are ignored. */
export function splitTagged(samples: Sample[], label: string = TAG_LABEL): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of samples) {
    const name = s.metric[label];
    if (name === undefined) continue;
    const list = out.get(name) ?? [];
    list.push(s);
    out.set(name, list);
  }
  return out;
}

/** label_replace expands `$1`/`${name}` in its replacement; `$$` is a literal dollar. */
function replacementLiteral(text: string): string {
  return text.replace(/\$/g, '$$$$');
}
