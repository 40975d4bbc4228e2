import type { Diagnostic } from '../../diagnostics';
import type { JsonPath } from '../../load/source';
import { parsePromql, rangeWindows, syntaxProblems } from '../../promql/parse';
import { formatDuration } from '../../util/duration';
import { findingAt, type LintCheck } from '../types';

/** Functions that need several samples in their window to mean anything. */
const RATE_FUNCTIONS = new Set(['rate', 'increase', 'irate', 'delta', 'idelta', 'deriv']);

/**
 * rate() over a window holding fewer than ~4 samples extrapolates from two points, jumps on one
 * missed scrape and returns nothing after two: a gate would flap or go unknown.
 */
export const rateWindowTooShort: LintCheck = {
  name: 'rate-window-too-short',
  severity: 'warning',
  doc: 'A rate/increase/irate/delta/deriv window in a signal is at least 4 x scrapeInterval.',
  check(ctx) {
    const minMs = 4 * ctx.model.scrapeIntervalSeconds * 1000;
    const out: Diagnostic[] = [];
    for (const sig of Object.values(ctx.model.signals)) {
      const parsed = parsePromql(sig.rawExpr);
      if (syntaxProblems(parsed).length) continue;
      const short = rangeWindows(parsed).filter((w) => w.fn !== undefined && RATE_FUNCTIONS.has(w.fn) && w.ms < minMs);
      if (short.length === 0) continue;
      const own = ctx.def.spec.signals?.[sig.name] !== undefined;
      // A preset/engine signal's window is fine at 30s scrapes; it is the scrape interval that made it short.
      const path: JsonPath = own ? ['spec', 'signals', sig.name, 'expr'] : ctx.def.spec.scrapeInterval !== undefined ? ['spec', 'scrapeInterval'] : ['spec', 'type'];
      const windows = [...new Set(short.map((w) => `${w.fn}(...[${w.text}])`))].join(', ');
      const whose = own ? '' : ` (${sig.origin === 'preset' ? `the ${ctx.model.type} preset` : `the ${ctx.model.engine} signal library`})`;
      const message = `signal \`${sig.name}\`${whose}: ${windows} is shorter than 4 x scrapeInterval (${ctx.model.scrapeInterval}) = ${formatDuration(minMs)}`;
      const hint = own
        ? `use a window of at least ${formatDuration(minMs)}, e.g. [${formatDuration(Math.max(minMs, 300_000))}]`
        : `override signal \`${sig.name}\` under spec.signals with a window of at least ${formatDuration(minMs)}`;
      out.push(findingAt(ctx, this, path, message, hint));
    }
    return out;
  },
};
