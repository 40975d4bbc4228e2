import { errorAt, type SemanticRule } from '../rule';

export const uniquePhaseIds: SemanticRule = {
  name: 'unique-phase-ids',
  doc: 'Each phase id appears once in spec.phases.',
  check(ctx) {
    const seen = new Set<string>();
    return (ctx.def.spec.phases ?? []).flatMap((p, i) => {
      if (!seen.has(p.id)) {
        seen.add(p.id);
        return [];
      }
      return [errorAt(ctx, this.name, ['spec', 'phases', i, 'id'], `duplicate phase id \`${p.id}\``, 'merge the two entries')];
    });
  },
};
