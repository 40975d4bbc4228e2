/**
 * Stable Grafana panel ids. Fixed panels have fixed ids; each gate's panel id is derived from a
 * hash of its gate id, so adding or removing a gate never renumbers another panel (links in
 * alerts, `viewPanel=<id>`, keep working). Collisions (rare) probe to the next free id in gate-id order.
 */
import type { ResolvedMigration } from '../model/types';

export const PANEL = {
  progressRow: 1,
  percentDone: 2,
  rowsRate: 3,
  eta: 4,
  currentPhase: 5,
  batchesByOutcome: 6,
  batchDuration: 7,
  throttled: 8,
  lag: 9,
  safetyRow: 20,
  gateStateTimeline: 21,
  gateOverview: 22,
  correctnessRow: 40,
  verifiedVsMismatched: 41,
  mismatchRatio: 42,
} as const;

const GATE_BASE = 1000;
const GATE_SLOTS = 9000;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Panel id of every gate's signal panel. */
export function gatePanelIds(model: Pick<ResolvedMigration, 'gates'>): Map<string, number> {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  for (const id of model.gates.map((g) => g.id).sort()) {
    let slot = fnv1a(id) % GATE_SLOTS;
    while (used.has(GATE_BASE + slot)) slot = (slot + 1) % GATE_SLOTS;
    used.add(GATE_BASE + slot);
    ids.set(id, GATE_BASE + slot);
  }
  return ids;
}
