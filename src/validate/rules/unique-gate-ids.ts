import { errorAt, type SemanticRule } from '../rule';

export const uniqueGateIds: SemanticRule = {
  name: 'unique-gate-ids',
  doc: 'Each gate id appears once in spec.gates (preset gates are overridden by id, not duplicated).',
  check(ctx) {
    const first = new Map<string, number>();
    return (ctx.def.spec.gates ?? []).flatMap((g, i) => {
      const prev = first.get(g.id);
      if (prev === undefined) {
        first.set(g.id, i);
        return [];
      }
      return [errorAt(ctx, this.name, ['spec', 'gates', i, 'id'], `duplicate gate id \`${g.id}\` (first defined at spec.gates[${prev}])`, 'give each gate a unique id, or merge the two entries')];
    });
  },
};
