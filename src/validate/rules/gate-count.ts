import { errorAt, type SemanticRule } from '../rule';

/**
 * Every gate adds a dashboard panel, three alerts, a runbook section and promtool cases that must
 * show every other gate quiet, so output grows faster than the gate count. A hundred gates is far
 * beyond any real migration (presets have under ten) and still generates in seconds.
 */
export const MAX_GATES = 100;

export const gateCount: SemanticRule = {
  name: 'gate-count',
  doc: `A migration has at most ${MAX_GATES} enabled gates (preset gates included).`,
  check(ctx) {
    const total = ctx.model.gates.length;
    if (total <= MAX_GATES) return [];
    return [
      errorAt(
        ctx,
        this.name,
        ['spec', 'gates'],
        `this migration has ${total} enabled gates (the ${ctx.model.type} preset's included); at most ${MAX_GATES} are supported`,
        'split it into several migrations, or disable gates nobody acts on (`enabled: false`)',
        'key',
      ),
    ];
  },
};
