/**
 * Why a gate has no value. The gate value (src/promql/gate-value.ts) is absent for several
 * reasons: no series at all, a series that is NaN, a series count other than the target's
 * `count`, or a worst series at the infinity of the gate's good side (-Inf for `above`). One more
 * instant query, only when some gate came back empty, counts the series of each such gate's X,
 * and those that are numbers (`X == X` is false only for NaN), so the runner's log says which.
 * Best effort: if that query fails, the plain "no data" reason stands (the gate is unknown either way).
 */
import type { ResolvedGate, ResolvedMigration } from '../model/types';
import { gateValueOf } from '../promql/gate-value';
import { splitTagged, taggedQuery } from './batch';
import type { Sample } from './prometheus';

/** Label naming `<gate id>:series` / `<gate id>:numbers` in the explanation query. */
export const EXPLAIN_LABEL = 'migobs_explain';

/** The count queries for the given gates, as one tagged instant query. */
export function explainQuery(model: ResolvedMigration, gates: ResolvedGate[]): string {
  return taggedQuery(
    gates.flatMap((g) => {
      const x = gateValueOf(model, g).inner;
      return [[`${g.id}:series`, `count(${x})`], [`${g.id}:numbers`, `count((${x}) == (${x}))`]] as const;
    }),
    EXPLAIN_LABEL,
  );
}

/** The reason each gate is unknown, by gate id; gates without a better reason are left out. */
/**
 * `query` asks Prometheus within the same answer (its evaluation time and deadline), so the counts
 * describe the instant the gate value was read at.
 */
export async function explainUnknown(query: (expr: string) => Promise<Sample[]>, model: ResolvedMigration, gates: ResolvedGate[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (gates.length === 0) return out;
  let tagged;
  try {
    tagged = splitTagged(await query(explainQuery(model, gates)), EXPLAIN_LABEL);
  } catch {
    return out;
  }
  const count = (key: string): number => tagged.get(key)?.[0]?.value ?? 0;
  for (const g of gates) {
    const reason = reasonFor(model, g, count(`${g.id}:series`), count(`${g.id}:numbers`));
    if (reason) out.set(g.id, reason);
  }
  return out;
}

/** Words for the counts of X (undefined when they show nothing wrong beyond "empty"). */
export function reasonFor(model: ResolvedMigration, g: ResolvedGate, series: number, numbers: number): string | undefined {
  const s = model.signals[g.signal];
  if (!s) return undefined;
  const scope = s.target && s.target !== 'migration' && model.targets[s.target] ? ` (reading spec.targets.${s.target}: ${model.targets[s.target]!.selector})` : '';
  if (!Number.isFinite(series) || series === 0) return `no data: signal ${g.signal} returned an empty result${scope}`;
  if (numbers < series) {
    const bad = series - numbers;
    return `${bad} of ${series} series of signal ${g.signal} ${bad === 1 ? 'is' : 'are'} not a number (NaN); max/min would skip ${bad === 1 ? 'it' : 'them'} and answer from the others, so the gate is unknown until every series reports a number${scope}`;
  }
  const n = s.expectedSeries;
  if (n !== undefined && series !== n) {
    const why = series < n ? `${n - series} stopped reporting (a vanished ${s.seriesPer === 'replicas' ? 'replica' : s.seriesPer === 'hosts' ? 'host' : 'member'} is unknown, never green)` : 'the selector matches more than the target (check it)';
    return `signal ${g.signal} has ${series} series where spec.targets.${s.seriesPer}.count expects exactly ${n}: ${why}`;
  }
  // Numbers, as many as expected, and still no value: the worst is the good side's infinity.
  return `signal ${g.signal} is ${g.direction === 'below' ? '+Inf' : '-Inf'} at its worst series, which is not a measurement (an infinity past every threshold would be rollback; this one is on the good side)${scope}`;
}
