/**
 * Where a gate's value came from, and so where a finding about it belongs: the definition's own
 * field, the gate's entry in the definition (value inherited), or spec.type (the preset's value).
 */
import type { GateDefinition } from '../definition/types';
import type { JsonPath } from '../load/source';
import type { ResolvedGate } from '../model/types';
import { loadPreset } from '../presets/load';
import type { PresetGate } from '../presets/types';
import { DEFAULTS } from '../resolve/resolve';
import type { LintContext } from './types';

export type ValueOrigin = 'definition' | 'preset' | 'default';

export interface GateValueSource {
  path: JsonPath;
  origin: ValueOrigin;
  /** Words for a message: "", " (the backfill preset's value)", " (the default)". */
  note: string;
}

export function definitionGate(ctx: LintContext, id: string): { index: number; gate?: GateDefinition } {
  const index = (ctx.def.spec.gates ?? []).findIndex((g) => g.id === id);
  return index < 0 ? { index } : { index, gate: ctx.def.spec.gates![index] };
}

export function presetGate(ctx: LintContext, id: string): PresetGate | undefined {
  return loadPreset(ctx.model.type).gates.find((g) => g.id === id && (!g.engines || g.engines.includes(ctx.model.engine)));
}

/** Path of the gate's entry in the definition, or spec.type when the gate comes only from the preset. */
export function gatePath(ctx: LintContext, id: string): JsonPath {
  const { index } = definitionGate(ctx, id);
  return index < 0 ? ['spec', 'type'] : ['spec', 'gates', index];
}

function inherited(ctx: LintContext, id: string, origin: Exclude<ValueOrigin, 'definition'>): GateValueSource {
  const { index } = definitionGate(ctx, id);
  const note = origin === 'preset' ? ` (the ${ctx.model.type} preset's value)` : ` (the default, ${DEFAULTS.gateFor})`;
  // A preset value is reported at spec.type (that is where it comes from); a default at the gate itself.
  const path: JsonPath = origin === 'preset' || index < 0 ? ['spec', 'type'] : ['spec', 'gates', index];
  return { path, origin, note };
}

/** Where a threshold (`pause` / `rollback`) of a resolved gate was set. */
export function thresholdSource(ctx: LintContext, id: string, field: 'pause' | 'rollback'): GateValueSource {
  const { index, gate } = definitionGate(ctx, id);
  if (gate && gate[field] !== undefined) return { path: ['spec', 'gates', index, field], origin: 'definition', note: '' };
  return inherited(ctx, id, 'preset');
}

/**
 * Where the pause `for` or the rollback `rollbackFor` of a resolved gate was set, following the
 * resolver: an explicit `for` in the definition also sets rollbackFor unless rollbackFor is given.
 */
export function forSource(ctx: LintContext, id: string, field: 'for' | 'rollbackFor'): GateValueSource {
  const { index, gate } = definitionGate(ctx, id);
  const preset = presetGate(ctx, id);
  const at = (f: string): GateValueSource => ({ path: ['spec', 'gates', index, f], origin: 'definition', note: '' });
  if (field === 'rollbackFor') {
    if (gate?.rollbackFor !== undefined) return at('rollbackFor');
    if (gate?.for !== undefined) return at('for');
    if (preset?.rollbackFor !== undefined || preset?.for !== undefined) return inherited(ctx, id, 'preset');
    return inherited(ctx, id, 'default');
  }
  if (gate?.for !== undefined) return at('for');
  if (preset?.for !== undefined) return inherited(ctx, id, 'preset');
  return inherited(ctx, id, 'default');
}

export interface GateDuration {
  field: 'for' | 'rollbackFor';
  text: string;
  seconds: number;
  src: GateValueSource;
}

/** A gate's two hold durations (pause `for`, `rollbackFor`), each with where it was set. */
export function gateDurations(ctx: LintContext, g: ResolvedGate): GateDuration[] {
  return [
    { field: 'for', text: g.pauseFor, seconds: g.pauseForSeconds, src: forSource(ctx, g.id, 'for') },
    { field: 'rollbackFor', text: g.rollbackFor, seconds: g.rollbackForSeconds, src: forSource(ctx, g.id, 'rollbackFor') },
  ];
}
