/**
 * Gates on a migration's own metrics, shared between migrations.
 *
 * A migration's own metrics are read through `migration_id="<id>"` matchers, so the expressions of
 * a gate on them (batch errors, batch duration, mismatches) differ in every migration, and their
 * rule-test cases could not be shared the way those of database or host gates are (tests.ts
 * gateCases). They are built instead for a stand-in id and then given the migration's own: the
 * synthesizer and evaluator treat a label value as an opaque string, so renaming one value
 * everywhere it occurs changes nothing else, provided that
 * - the label `migration_id` occurs in the expressions only in `migration_id="<id>"` matchers (no
 *   `by (migration_id)`, regex matcher, `label_replace`, second value): every series that has
 *   the label then has this one value, so the evaluator never compares it with another value
 *   (its only order of label values, a selector's series, compares label names first). The id
 *   elsewhere (in another label's value, say) is text like any other: a migration shares the
 *   cases only with one whose expressions are the same but for the matchers' value;
 * - the stand-in occurs nowhere in them, so renaming it back is exact.
 * Anything else keeps its own cases (nothing shared). test/unit/rule-test-sharing.test.ts
 * compares migrations with ids of other lengths and orders, and a corpus of definitions, with
 * runs that share nothing.
 */
import type { Series } from './promql-eval';
import type { GateInput } from './test-inputs';

/** The id the shared cases are built for: not a valid migration id (no letters after a dot), so no definition has it. */
export const STAND_IN_ID = 'shared.stand-in';

const LABEL = 'migration_id';
const matcherOf = (id: string): string => `${LABEL}=${JSON.stringify(id)}`;

const count = (text: string, part: string): number => text.split(part).length - 1;

/**
 * `input` with the stand-in for `id`, or undefined when its expressions do not name the id (they
 * are the same in every migration already) or name it in a way renaming could change.
 */
export function withStandInId(input: GateInput, id: string): GateInput | undefined {
  const texts = [input.signal, input.value, input.inner];
  const matcher = matcherOf(id);
  if (!texts.some((t) => t.includes(matcher))) return undefined;
  const renamable = texts.every((t) => count(t, LABEL) === count(t, matcher) && !t.includes(STAND_IN_ID));
  if (!renamable) return undefined;
  const standIn = matcherOf(STAND_IN_ID);
  const rename = (t: string): string => t.split(matcher).join(standIn);
  return { ...input, signal: rename(input.signal), value: rename(input.value), inner: rename(input.inner) };
}

/** Series built for the stand-in id, with `id` instead (the others as they are). */
export function seriesWithId(series: Series[], id: string): Series[] {
  return series.map((s) => (s.labels[LABEL] === STAND_IN_ID ? { ...s, labels: { ...s.labels, [LABEL]: id } } : s));
}

/** A note written while building for the stand-in id (it may quote an expression), with `id` instead. */
export function textWithId(text: string, id: string): string {
  return text.split(STAND_IN_ID).join(id);
}
