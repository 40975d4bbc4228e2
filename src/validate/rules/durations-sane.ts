import { parseDurationMs } from '../../util/duration';
import type { JsonPath } from '../../load/source';
import { errorAt, type SemanticRule } from '../rule';

const MIN = 1000;
const HOUR = 3600e3;
const DAY = 24 * HOUR;

/** [path, label, min ms, max ms] for every duration in a definition. */
function durations(def: import('../../definition/types').MigrationDefinition): Array<[JsonPath, string, string, number, number]> {
  const s = def.spec;
  const out: Array<[JsonPath, string, string, number, number]> = [];
  if (s.expectedDuration) out.push([['spec', 'expectedDuration'], 'expectedDuration', s.expectedDuration, 60e3, 366 * DAY]);
  if (s.scrapeInterval) out.push([['spec', 'scrapeInterval'], 'scrapeInterval', s.scrapeInterval, MIN, 10 * 60e3]);
  if (s.stalledAfter) out.push([['spec', 'stalledAfter'], 'stalledAfter', s.stalledAfter, 60e3, 7 * DAY]);
  (s.gates ?? []).forEach((g, i) => {
    if (g.for !== undefined) out.push([['spec', 'gates', i, 'for'], `gate \`${g.id}\` for`, g.for, 0, DAY]);
    if (g.rollbackFor !== undefined) out.push([['spec', 'gates', i, 'rollbackFor'], `gate \`${g.id}\` rollbackFor`, g.rollbackFor, 0, DAY]);
  });
  return out;
}

function human(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60e3 === 0) return `${ms / 60e3}m`;
  return `${ms / 1000}s`;
}

export const durationsSane: SemanticRule = {
  name: 'durations-sane',
  doc: 'Durations are within sensible bounds (e.g. a gate `for` at most 1d, a scrape interval between 1s and 10m).',
  check(ctx) {
    const out = [];
    for (const [path, label, text, min, max] of durations(ctx.def)) {
      const ms = parseDurationMs(text);
      if (ms === undefined) {
        out.push(errorAt(ctx, this.name, path, `${label} \`${text}\` is too large to be a duration`));
      } else if (ms < min || ms > max) {
        out.push(errorAt(ctx, this.name, path, `${label} \`${text}\` is out of range (${human(min)} to ${human(max)})`));
      }
    }
    return out;
  },
};
