/**
 * Gates on a migration's own metrics, shared between migrations.
 *
 * A migration's own metrics are read through `migration_id="<id>"` matchers, so the expressions of
 * a gate on them (batch errors, batch duration, mismatches) differ in every migration, and their
 * rule-test cases could not be shared the way those of database or host gates are (tests.ts
 * gateCases). They are keyed instead by the expressions without the id (renameKey), built for
 * the first migration that needs them, and given to another with its id in place of the first
 * one's. The synthesizer and the evaluator treat a label value as an opaque string, so renaming
 * that one value wherever the id was put changes nothing else, provided that the label
 * `migration_id` occurs in the expressions only in `migration_id="<id>"` matchers (no
 * `by (migration_id)`, regex matcher, `label_replace`, second value): every series that has the
 * label then has this one value, and the evaluator never compares it with another value (its only
 * order of label values, a selector's series, compares label names first). The id elsewhere (in
 * another label's value, say) is text like any other: migrations share cases only when their
 * expressions are the same but for the matchers' value. Anything else keeps its own cases.
 *
 * test/unit/rule-test-sharing.test.ts compares migrations with ids of other lengths and orders,
 * and every loadable definition of the examples and test corpora, with runs that share nothing.
 */
import type { Series } from './promql-eval';
import type { GateInput } from './test-inputs';

const LABEL = 'migration_id';
const matcherOf = (id: string): string => `${LABEL}=${JSON.stringify(id)}`;

/** What stands for every migration's id in a key: any text does, as only the matchers' values are replaced. */
const ANY_ID = matcherOf('*');

const count = (text: string, part: string): number => text.split(part).length - 1;
const replaceAll = (text: string, from: string, to: string): string => text.split(from).join(to);

/**
 * The gate's expressions with their `migration_id="<id>"` matchers made the same for every id (a
 * key, not an expression to evaluate), or undefined when they have none (they are the same in
 * every migration already) or use the label in another way too (renaming could change what they
 * compute).
 */
export function renameKey(input: GateInput, id: string): string | undefined {
  const texts = [input.signal, input.value, input.inner];
  const matcher = matcherOf(id);
  if (!texts.some((t) => t.includes(matcher))) return undefined;
  if (!texts.every((t) => count(t, LABEL) === count(t, matcher))) return undefined;
  return JSON.stringify(texts.map((t) => withoutId(t, id)));
}

/** `text` with its `migration_id="<id>"` matchers made the same for every id (for a key, not to evaluate). */
export function withoutId(text: string, id: string): string {
  return replaceAll(text, matcherOf(id), ANY_ID);
}

/** A matcher on `migration_id` other than those withoutId made uniform: another value, a regex or a negation, which can tell ids apart. */
export const otherIdMatcher = (keyText: string): boolean => /migration_id\s*(?:=~|!=|!~|=(?!"\*"))/.test(keyText);

/** Series built for migration `from`, for migration `to`: its `migration_id` label renamed (the others as they are). */
export function seriesForId(series: Series[], from: string, to: string): Series[] {
  return series.map((s) => {
    if (s.labels[LABEL] !== from) return s;
    const renamed = { ...s, labels: { ...s.labels, [LABEL]: to } };
    renamedFrom(renamed, s);
    return renamed;
  });
}

/**
 * The series each renamed one was made from (seriesForId, and tests.ts continued for the tail of
 * a renamed case). A gate with a renameKey (test-inputs.ts GateInput) has the same
 * value on a renamed list as its first migration's gate on the list it was renamed from, so the
 * gate values remembered for that list serve (test-inputs.ts memoOf); no other gate's do.
 */
const originals = new WeakMap<Series, Series>();
export const originalSeries = (s: Series): Series => originals.get(s) ?? s;

/** Records that `renamed` is `original` with the other migration's id (its samples the same). */
export function renamedFrom(renamed: Series, original: Series): void {
  originals.set(renamed, originalSeries(original));
}

/** A note written while building for migration `from` (it may quote an expression), for migration `to`. */
export function textForId(text: string, from: string, to: string): string {
  return replaceAll(text, matcherOf(from), matcherOf(to));
}
